package alsa

// Device is the kernel side of one open PCM: the handful of ioctls the binding issues. The
// Linux implementation wraps /dev/snd/pcmC*D*; alsatest.PCM simulates a card for tests.
//
// Implementations report kernel errors through this package's sentinels so the recovery logic
// can be tested anywhere: EPIPE as ErrXrun, ESTRPIPE as ErrSuspended, EBADFD as ErrBadState,
// ENODEV/ENXIO as ErrDeviceGone, EINTR/EAGAIN as ErrInterrupted, EINVAL (refine) as
// ErrUnsupported.
type Device interface {
	Refine(p *HWParams) error  // HW_REFINE
	Install(p *HWParams) error // HW_PARAMS
	SetSW(p SWParams) (SWParams, error)
	Prepare() error
	Start() error
	Drop() error
	Drain() error
	Resume() error
	// ReadI and WriteI move up to frames interleaved frames between b and the ring buffer,
	// blocking until done; they return the frames moved.
	ReadI(b []byte, frames int) (int, error)
	WriteI(b []byte, frames int) (int, error)
	// Delay is the DELAY ioctl: frames between the application pointer and the DAC/ADC.
	Delay() (int, error)
	// Status is the STATUS ioctl: the pointers and the delay in one snapshot. It may be
	// called while another goroutine is blocked in ReadI or WriteI.
	Status() (Status, error)
	Close() error
}

// SWParams are the software parameters the binding sets (struct snd_pcm_sw_params, the
// fields that matter; the Linux Device fills in the rest).
type SWParams struct {
	AvailMin       int
	StartThreshold int
	StopThreshold  int
	// Boundary is reported by the kernel.
	Boundary int
}
