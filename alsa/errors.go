package alsa

import "errors"

var (
	// ErrDeviceGone means the card went away (ENODEV/ENXIO), e.g. a USB codec was unplugged.
	// The PCM is unusable; close it and reopen when the card is back.
	ErrDeviceGone = errors.New("alsa: device gone")
	// ErrBusy means another process holds the device (hw: devices are exclusive).
	ErrBusy = errors.New("alsa: device busy")
	// ErrNotFound means no such card or PCM device.
	ErrNotFound = errors.New("alsa: no such device")
	// ErrBadName means the device string is not "hw:CARD,DEV".
	ErrBadName = errors.New("alsa: bad device name")
	// ErrUnsupported means the device rejected the parameters (EINVAL from the kernel).
	ErrUnsupported = errors.New("alsa: parameters not supported")
	// ErrXrun is what a Device reports for EPIPE: an overrun (capture) or underrun (playback).
	// PCM recovers from it and counts it; callers of PCM never see it.
	ErrXrun = errors.New("alsa: xrun")
	// ErrStalled is EIO from a transfer: the stream made no progress for a long time (the
	// kernel's "DMA or IRQ trouble", also what a starved or paused machine sees). PCM
	// re-prepares like after an xrun and counts it; callers of PCM never see it.
	ErrStalled = errors.New("alsa: stream stalled")
	// ErrSuspended is ESTRPIPE: the system suspended the stream. PCM resumes or re-prepares.
	ErrSuspended = errors.New("alsa: stream suspended")
	// ErrBadState is EBADFD: the stream is not in a state for the request.
	ErrBadState = errors.New("alsa: stream in wrong state")
	// ErrInterrupted is EINTR/EAGAIN: retry.
	ErrInterrupted = errors.New("alsa: interrupted")
	// ErrClosed is returned by methods called after Close.
	ErrClosed = errors.New("alsa: closed")
	// ErrNoControl means the mixer has no control matching the name.
	ErrNoControl = errors.New("alsa: no such mixer control")
	// ErrNoDriver means /proc/asound/cards is missing: no ALSA driver is loaded, so there is
	// no sound card at all (as opposed to a loaded ALSA that lists none).
	ErrNoDriver = errors.New("alsa: no ALSA driver loaded")
	// ErrNotLinux is returned on systems without ALSA.
	ErrNotLinux = errors.New("alsa: not supported on this OS")
)
