package alsatest

import (
	"encoding/binary"
	"math"
	"sync"
	"time"

	"github.com/doorsip/intercom/alsa"
	"github.com/doorsip/intercom/internal/clock"
)

// Room is a box for echo tests: its microphone hears what its loudspeaker played, Delay
// frames later, through the impulse response H, plus the near-end signal Near (microphone
// frame index to value; nil for none). Only the first channel of what is played counts;
// every channel of the microphone carries the same signal. S16 only.
//
// Without a Clock the streams correspond by index: microphone frame i was captured while
// loudspeaker frame i played, and nothing blocks (a lockstep reader/writer). With a Clock the
// room runs in card time at the rate the devices were set up with, as a card does (a
// *clock.Fake is advanced by the room itself whenever a transfer has to wait): the
// loudspeaker plays one frame per tick from its first write (silence while starved), a write
// waits while its buffer is full, a read waits until its frames were captured, and DELAY
// reports the frames really queued on each side.
type Room struct {
	Delay int
	H     []float64
	Near  func(i int) float64
	Clock clock.Clock
	// CaptureLate (card time) starts the microphone this many frames after the first
	// transfer, as a card whose capture is started later than its playback does.
	CaptureLate int

	mu   sync.Mutex
	hist []float64 // what was written to the loudspeaker, mono
	read int       // microphone frames taken

	// Card time (Clock set): ticks since t0 at rate.
	rate      int
	t0        time.Time
	ticking   bool
	dac       []float64 // what the loudspeaker played, one value per tick
	playing   bool
	playStart int // tick at which hist[0] was (or would have been) played
	capStart  int
	capturing bool
	buf       int // loudspeaker buffer, frames
	starved   int // ticks the loudspeaker played silence for want of frames
}

// Playback returns a simulated card with caps that feeds the room's loudspeaker; open it
// with alsa.OpenDevice(dev, name, alsa.Playback, want).
func (r *Room) Playback(c Caps) alsa.Device { return roomPCM{New(c), r, alsa.Playback} }

// Capture returns a simulated card with caps that records the room's microphone.
func (r *Room) Capture(c Caps) alsa.Device { return roomPCM{New(c), r, alsa.Capture} }

// Played returns what the loudspeaker has been handed so far (first channel).
func (r *Room) Played() []int16 {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]int16, len(r.hist))
	for i, v := range r.hist {
		out[i] = int16(v)
	}
	return out
}

// Starved is how many frames of card time the loudspeaker played silence because the writer
// was late (an underrun): each shifts the echo's delay against what was handed over, as an
// xrun on a card does.
func (r *Room) Starved() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.starved
}

// Fake is the simulated card under the room's device, to inject errors into.
func (d roomPCM) Fake() *PCM { return d.PCM }

type roomPCM struct {
	*PCM
	r   *Room
	dir alsa.Direction
}

// tickLocked starts card time at the first transfer and brings the loudspeaker's output up
// to now; it returns the current tick.
func (r *Room) tickLocked(rate int) int {
	now := r.Clock.Now()
	if !r.ticking {
		r.ticking, r.t0, r.rate = true, now, rate
	}
	t := int(now.Sub(r.t0) * time.Duration(r.rate) / time.Second)
	for len(r.dac) < t {
		v := 0.0
		if r.playing {
			m := len(r.dac) - r.playStart
			if m >= len(r.hist) {
				r.playStart++ // starved: silence, and the queue plays later
				r.starved++
			} else if m >= 0 {
				v = r.hist[m]
			}
		}
		r.dac = append(r.dac, v)
	}
	return t
}

// wait lets frames of card time pass (outside the lock). A *clock.Fake is moved on, as
// Loopback's capture does, so one goroutine can run both streams in lockstep.
func (r *Room) wait(frames int) {
	d := time.Duration(frames) * time.Second / time.Duration(r.rate)
	if f, ok := r.Clock.(*clock.Fake); ok {
		f.Advance(d)
		return
	}
	<-r.Clock.After(d)
}

func (d roomPCM) WriteI(b []byte, frames int) (int, error) {
	r := d.r
	p := d.Installed()
	if r.Clock != nil {
		for {
			r.mu.Lock()
			t := r.tickLocked(p.Rate)
			if !r.playing {
				r.playing, r.playStart, r.buf = true, t, p.PeriodFrames*p.Periods
			}
			queued := r.playStart + len(r.hist) - t
			r.mu.Unlock()
			if queued+frames <= r.buf {
				break
			}
			r.wait(queued + frames - r.buf)
		}
	}
	n, err := d.PCM.WriteI(b, frames)
	r.mu.Lock()
	for f := range n {
		r.hist = append(r.hist, float64(int16(binary.LittleEndian.Uint16(b[f*p.Channels*2:]))))
	}
	r.mu.Unlock()
	return n, err
}

func (d roomPCM) ReadI(b []byte, frames int) (int, error) {
	r := d.r
	p := d.Installed()
	if r.Clock != nil {
		for {
			r.mu.Lock()
			t := r.tickLocked(p.Rate)
			if !r.capturing {
				r.capturing, r.capStart = true, t+r.CaptureLate
			}
			short := r.read + frames - (t - r.capStart)
			r.mu.Unlock()
			if short <= 0 {
				break
			}
			r.wait(short)
		}
	}
	n, err := d.PCM.ReadI(b, frames) // the stream's state; the counting pattern is overwritten
	r.mu.Lock()
	for f := range n {
		v := r.micLocked()
		for c := range p.Channels {
			binary.LittleEndian.PutUint16(b[(f*p.Channels+c)*2:], uint16(v))
		}
	}
	r.mu.Unlock()
	return n, err
}

// Delay is what the card would report: frames queued for the loudspeaker, or captured and
// not yet read; without a Clock, what SetDelay set.
func (d roomPCM) Delay() (int, error) {
	r := d.r
	if r.Clock == nil {
		return d.PCM.Delay()
	}
	if _, err := d.PCM.Delay(); err != nil {
		return 0, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	t := r.tickLocked(d.Installed().Rate)
	if d.dir == alsa.Capture {
		if !r.capturing {
			return 0, nil
		}
		return max(0, t-r.capStart-r.read), nil // a capture not started yet has nothing waiting
	}
	if !r.playing {
		return len(r.hist), nil
	}
	return max(0, r.playStart+len(r.hist)-t), nil
}

func (r *Room) micLocked() int16 {
	j := r.read
	r.read++
	var acc float64
	for k, hk := range r.H {
		if r.Clock != nil {
			if i := r.capStart + j - r.Delay - k; i >= 0 && i < len(r.dac) {
				acc += hk * r.dac[i]
			}
		} else if i := j - r.Delay - k; i >= 0 && i < len(r.hist) {
			acc += hk * r.hist[i]
		}
	}
	if r.Near != nil {
		acc += r.Near(j)
	}
	return int16(max(-32768, min(32767, math.Round(acc))))
}

// Status is Delay's snapshot with the frames handed to the loudspeaker (playback) or taken
// from the microphone (capture) as the application pointer.
func (d roomPCM) Status() (alsa.Status, error) {
	st, err := d.PCM.Status()
	r := d.r
	if err != nil || r.Clock == nil {
		return st, err
	}
	dl, err := d.Delay()
	if err != nil {
		return alsa.Status{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	st.Delay = dl
	if d.dir == alsa.Capture {
		st.Appl = uint64(r.read)
	} else {
		st.Appl = uint64(len(r.hist))
	}
	return st, nil
}
