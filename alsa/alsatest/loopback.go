package alsatest

import (
	"sync"
	"time"

	"github.com/doorsip/intercom/internal/clock"
)

// loop carries samples from a playback PCM to its capture twin.
type loop struct {
	mu sync.Mutex
	q  []int16
}

// Loopback returns a playback and a capture device wired like snd-aloop: what is written to
// play is read back from rec, in order; rec reads silence when nothing is queued. When clk
// is not nil every ReadI advances it by the time its frames cover, as a card's clock paces a
// blocking read, so code timing a round trip with clk sees card time.
func Loopback(c Caps, clk *clock.Fake) (play, rec *PCM) {
	l := &loop{}
	play, rec = New(c), New(c)
	play.link, rec.link = l, l
	rec.clk = clk
	return play, rec
}

func (l *loop) put(s []int16) {
	l.mu.Lock()
	l.q = append(l.q, s...)
	l.mu.Unlock()
}

// take fills out from the queue, zero-padding when it runs short.
func (l *loop) take(out []int16) {
	l.mu.Lock()
	n := copy(out, l.q)
	l.q = l.q[n:]
	l.mu.Unlock()
	clear(out[n:])
}

func (d *PCM) advance(frames int) {
	if d.clk != nil && d.params.Rate > 0 {
		d.clk.Advance(time.Duration(frames) * time.Second / time.Duration(d.params.Rate))
	}
}
