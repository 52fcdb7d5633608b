package mediatest

import (
	"sync"

	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/media"
)

// Recorder is a media.Playback that keeps the last MaxFrames frames written to it.
type Recorder struct {
	pace media.Playback // nil: unpaced (the Session then paces playout itself)

	mu       sync.Mutex
	f        media.Format
	samples  []int16
	max      int
	writes   int
	failAt   int
	failWith error
	closed   bool
}

// NewRecorder returns a Recorder of f keeping up to maxFrames frames. With a clock, each
// Write blocks for the period it holds, like a card; with nil it returns at once.
func NewRecorder(f media.Format, clk clock.Clock, maxFrames int) *Recorder {
	r := &Recorder{f: f, max: maxFrames * f.Channels}
	if clk != nil {
		r.pace = media.NewNull(f, clk)
	}
	return r
}

// Format reports the layout the recorder expects.
func (r *Recorder) Format() media.Format { return r.f }

// Paced tells a Session whether Write blocks for real time.
func (r *Recorder) Paced() bool { return r.pace != nil }

// ClockPaced tells a Session that a paced Recorder waits on a clock, not on a card, so its
// playout loop gains nothing from SCHED_FIFO.
func (r *Recorder) ClockPaced() bool { return r.pace != nil }

// FailAfter makes the Write after the next n return err (a device that went away).
func (r *Recorder) FailAfter(n int, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failAt, r.failWith = r.writes+n+1, err
}

// Write records frames (after waiting for their period when paced).
func (r *Recorder) Write(frames []int16) (int, error) {
	if r.pace != nil {
		if _, err := r.pace.Write(frames); err != nil {
			return 0, err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return 0, media.ErrClosed
	}
	r.writes++
	if r.failWith != nil && r.writes >= r.failAt {
		return 0, r.failWith
	}
	r.samples = append(r.samples, frames...)
	if over := len(r.samples) - r.max; over > 0 {
		r.samples = append(r.samples[:0], r.samples[over:]...)
	}
	return len(frames) / r.f.Channels, nil
}

// Samples returns a copy of what was kept, interleaved.
func (r *Recorder) Samples() []int16 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int16(nil), r.samples...)
}

// Writes is how many Write calls succeeded or failed.
func (r *Recorder) Writes() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.writes
}

// Level is the RMS level in dBFS of the last n frames kept.
func (r *Recorder) Level(n int) float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.samples
	if k := n * r.f.Channels; len(s) > k {
		s = s[len(s)-k:]
	}
	return media.Level(s)
}

// Close makes later Writes fail and unblocks a paced one.
func (r *Recorder) Close() error {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	if r.pace != nil {
		r.pace.Close()
	}
	return nil
}

// Loop is a media.Capture that repeats the given interleaved samples, paced by a clock.
type Loop struct {
	pace media.Capture

	mu       sync.Mutex
	f        media.Format
	data     []int16
	pos      int
	reads    int
	failAt   int
	failWith error
}

// NewLoop returns a Capture of f repeating data (silence when empty).
func NewLoop(f media.Format, data []int16, clk clock.Clock) *Loop {
	return &Loop{pace: media.NewSilence(f, clk), f: f, data: append([]int16(nil), data...)}
}

// Format reports the capture's layout.
func (l *Loop) Format() media.Format { return l.f }

// ClockPaced is true: Read waits on the clock, not on a card.
func (l *Loop) ClockPaced() bool { return true }

// FailAfter makes the Read after the next n return err.
func (l *Loop) FailAfter(n int, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failAt, l.failWith = l.reads+n+1, err
}

// Reads is how many Read calls returned.
func (l *Loop) Reads() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.reads
}

// Read waits one period and fills frames from the loop.
func (l *Loop) Read(frames []int16) (int, error) {
	n, err := l.pace.Read(frames)
	if err != nil {
		return 0, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reads++
	if l.failWith != nil && l.reads >= l.failAt {
		return 0, l.failWith
	}
	if len(l.data) > 0 {
		for i := range frames[:n*l.f.Channels] {
			frames[i] = l.data[l.pos]
			l.pos = (l.pos + 1) % len(l.data)
		}
	}
	return n, nil
}

// Close unblocks a pending Read; later Reads return media.ErrClosed.
func (l *Loop) Close() error { return l.pace.Close() }
