package alsa

import "fmt"

// Status is one snapshot of a running stream's position, as the STATUS ioctl reports it:
// the pointers and the delay are read together, under the kernel's stream lock.
type Status struct {
	// Running is true while the stream runs (RUNNING or DRAINING); Delay is 0 otherwise.
	Running bool
	// Appl is the application pointer: frames written (playback) or read (capture) since the
	// stream was last prepared, modulo the stream's boundary. HW is the hardware pointer.
	Appl, HW uint64
	// Delay is what the DELAY ioctl reports: frames between the application pointer and the
	// converter (for playback, what is queued; for capture, what waits to be read).
	Delay int
	// Avail is the frames that can be written (playback) or read (capture) without waiting.
	Avail int
}

// Status reads the stream's pointers and delay in one snapshot. Unlike Delay it does not wait
// for a Read or Write blocked on another goroutine: the echo canceller's alignment reads the
// loudspeaker's position from the capture loop while the playback loop sits in Write.
func (p *PCM) Status() (Status, error) {
	p.smu.Lock()
	defer p.smu.Unlock()
	if p.closed.Load() {
		return Status{}, ErrClosed
	}
	s, err := p.dev.Status()
	if err != nil {
		return Status{}, fmt.Errorf("alsa: status %s: %w", p.name, err)
	}
	return s, nil
}
