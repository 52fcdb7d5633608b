// Package alsa is a small pure-Go binding to the Linux ALSA kernel interface: PCM capture and
// playback on /dev/snd/pcmC*D*[cp] through ioctls (no alsa-lib, no cgo), the mixer controls on
// /dev/snd/controlC*, and the card list from /proc/asound.
//
// It owns parameter selection (what rate, channels, period and buffer a hw: device accepts),
// blocking interleaved I/O into caller buffers without allocating, and recovery from xruns
// and suspend. A card that disappears (USB unplugged) is reported as ErrDeviceGone; reopening
// is the caller's job (internal/audio does it with backoff).
//
// It starts no goroutines, keeps no package state and imports none of sip, media or gpio.
// The kernel side sits behind the Device interface so that tests (and alsatest) can stand in
// for a sound card.
package alsa
