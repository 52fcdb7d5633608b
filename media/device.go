package media

// Format is how a device lays out samples: interleaved signed 16-bit at Rate with Channels.
type Format struct {
	Rate     int
	Channels int
}

// Capture is where call audio comes from: a sound card (paced by its clock) or a tone, file
// or silence source (paced by the injected clock). Read blocks until len(frames)/Channels
// frames are filled and returns the frame count.
type Capture interface {
	Format() Format
	Read(frames []int16) (int, error)
	Close() error
}

// Playback is where received audio goes. Write blocks while the device's buffer is full.
type Playback interface {
	Format() Format
	Write(frames []int16) (int, error)
	Close() error
}

// clockPaced is what a device whose Read or Write waits on a clock.Clock rather than on a
// card implements, with ClockPaced true (Tone, Null, OpenWAV's source, both ends of NewEcho).
// A Session runs such a device's loop without SCHED_FIFO: the Go timer that ends each wait
// fires on an ordinary thread, so a real-time thread would not wake sooner, and handing the
// loop to its locked thread every period costs the futex wake/sleep pairs that made a call
// cost about 40 % more CPU (BenchmarkCallCPU, README.md).
type clockPaced interface{ ClockPaced() bool }

// ClockPaced reports whether dev says it waits on a clock rather than on a card. A wrapper
// that embeds a Capture or Playback hides the method; it passes it on with
// `func (w *wrapper) ClockPaced() bool { return media.ClockPaced(w.Capture) }`.
func ClockPaced(dev any) bool {
	c, ok := dev.(clockPaced)
	return ok && c.ClockPaced()
}
