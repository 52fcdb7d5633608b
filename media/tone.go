package media

import (
	"fmt"
	"math"

	"github.com/doorsip/intercom/internal/clock"
)

// toneAmplitude puts a test tone at about -9 dBFS RMS: loud enough to measure across a call,
// far enough from full scale that G.711 and the resampler never clip it.
const toneAmplitude = 0.5 * 32767

// Tone is a Capture producing a sine wave (the same on every channel), paced by a clock.
type Tone struct {
	f     Format
	step  float64 // phase increment per frame, radians
	phase float64
	amp   float64
	p     *pacer
}

// NewTone returns a Capture of a hz sine at f, each Read blocking for the period it fills.
// hz of 0 gives silence. A bad Format is reported by the first Read.
func NewTone(hz int, f Format, clk clock.Clock) Capture {
	return newTone(hz, toneAmplitude, f, clk)
}

// NewSilence returns a Capture of zeros paced like a card.
func NewSilence(f Format, clk clock.Clock) Capture { return newTone(0, 0, f, clk) }

func newTone(hz int, amp float64, f Format, clk clock.Clock) *Tone {
	t := &Tone{f: f, amp: amp}
	if f.Rate > 0 {
		t.step = 2 * math.Pi * float64(hz) / float64(f.Rate)
		t.p = newPacer(clk, f.Rate)
	}
	if hz == 0 {
		t.amp = 0
	}
	return t
}

// Format reports the tone's sample layout.
func (t *Tone) Format() Format { return t.f }

// ClockPaced is true: Read waits on the clock, not on a card.
func (t *Tone) ClockPaced() bool { return true }

// Read fills frames (interleaved) and waits for the time they cover.
func (t *Tone) Read(frames []int16) (int, error) {
	if err := t.f.check(); err != nil {
		return 0, err
	}
	n := len(frames) / t.f.Channels
	for i := 0; i < n; i++ {
		v := int16(t.amp * math.Sin(t.phase))
		t.phase += t.step
		if t.phase > 2*math.Pi {
			t.phase -= 2 * math.Pi
		}
		for c := 0; c < t.f.Channels; c++ {
			frames[i*t.f.Channels+c] = v
		}
	}
	if err := t.p.wait(n); err != nil {
		return 0, err
	}
	return n, nil
}

// Close unblocks a pending Read; later Reads return ErrClosed.
func (t *Tone) Close() error {
	if t.p != nil {
		t.p.close()
	}
	return nil
}

// Null is a Playback that discards audio at the pace of a card.
type Null struct {
	f Format
	p *pacer
}

// NewNull returns a Playback that drops what it is given, each Write blocking for the period
// it holds.
func NewNull(f Format, clk clock.Clock) Playback {
	n := &Null{f: f}
	if f.Rate > 0 {
		n.p = newPacer(clk, f.Rate)
	}
	return n
}

// Format reports the layout Null expects.
func (n *Null) Format() Format { return n.f }

// ClockPaced is true: Write waits on the clock, not on a card.
func (n *Null) ClockPaced() bool { return true }

// Write waits for the time frames cover and drops them.
func (n *Null) Write(frames []int16) (int, error) {
	if err := n.f.check(); err != nil {
		return 0, err
	}
	k := len(frames) / n.f.Channels
	if err := n.p.wait(k); err != nil {
		return 0, err
	}
	return k, nil
}

// Close unblocks a pending Write; later Writes return ErrClosed.
func (n *Null) Close() error {
	if n.p != nil {
		n.p.close()
	}
	return nil
}

// check rejects layouts no device here or in the converter can carry.
func (f Format) check() error {
	if f.Rate < 8000 || f.Rate > 192000 || f.Channels < 1 || f.Channels > 2 {
		return fmt.Errorf("%w: %d Hz, %d channels (expected 8000-192000 Hz, 1 or 2 channels)", ErrFormat, f.Rate, f.Channels)
	}
	return nil
}
