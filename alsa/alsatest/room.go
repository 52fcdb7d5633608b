package alsatest

import (
	"encoding/binary"
	"math"
	"sync"

	"github.com/doorsip/intercom/alsa"
)

// Room is a box for echo tests: its microphone hears what its loudspeaker played, Delay
// frames later, through the impulse response H, plus the near-end signal Near (sample index
// at the microphone to value; nil for none). Streams correspond by index: microphone frame i
// was captured while loudspeaker frame i played. Only the first channel of what is played
// counts; every channel of the microphone carries the same signal. S16 only.
type Room struct {
	Delay int
	H     []float64
	Near  func(i int) float64

	mu   sync.Mutex
	hist []float64 // what was played, mono
	read int       // microphone frames taken
}

// Device returns a simulated card with caps whose playback feeds the room's loudspeaker and
// whose capture is its microphone; open it with alsa.OpenDevice in either direction.
func (r *Room) Device(c Caps) alsa.Device { return roomPCM{New(c), r} }

// Played is how many frames the loudspeaker has played.
func (r *Room) Played() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.hist)
}

// Speaker returns what the loudspeaker has played so far (first channel).
func (r *Room) Speaker() []int16 {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]int16, len(r.hist))
	for i, v := range r.hist {
		out[i] = int16(v)
	}
	return out
}

type roomPCM struct {
	*PCM
	r *Room
}

func (d roomPCM) WriteI(b []byte, frames int) (int, error) {
	n, err := d.PCM.WriteI(b, frames)
	ch := d.Installed().Channels
	d.r.mu.Lock()
	for f := range n {
		d.r.hist = append(d.r.hist, float64(int16(binary.LittleEndian.Uint16(b[f*ch*2:]))))
	}
	d.r.mu.Unlock()
	return n, err
}

func (d roomPCM) ReadI(b []byte, frames int) (int, error) {
	n, err := d.PCM.ReadI(b, frames) // the stream's state; the counting pattern is overwritten
	ch := d.Installed().Channels
	d.r.mu.Lock()
	for f := range n {
		v := d.r.mic()
		for c := range ch {
			binary.LittleEndian.PutUint16(b[(f*ch+c)*2:], uint16(v))
		}
	}
	d.r.mu.Unlock()
	return n, err
}

func (r *Room) mic() int16 {
	j := r.read
	r.read++
	var acc float64
	for k, hk := range r.H {
		if i := j - r.Delay - k; i >= 0 && i < len(r.hist) {
			acc += hk * r.hist[i]
		}
	}
	if r.Near != nil {
		acc += r.Near(j)
	}
	return int16(max(-32768, min(32767, math.Round(acc))))
}
