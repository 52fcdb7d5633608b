package app

import (
	"math"
	"sync/atomic"

	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/media"
)

// beepCapture passes the microphone through and, when asked, adds short beeps on top: the
// call-time warning must reach the far end without a second audio path.
type beepCapture struct {
	media.Capture
	req atomic.Int64 // beeps requested by the controller, taken by the media loop
	hz  atomic.Int64

	// Owned by the media loop that calls Read.
	remaining, pos int64
	phase          float64
}

// ClockPaced passes on what the wrapped device says: the media loop takes SCHED_FIFO only for
// a card, and embedding would otherwise hide the method.
func (b *beepCapture) ClockPaced() bool { return media.ClockPaced(b.Capture) }

const (
	beepOn  = 0.15 // seconds of tone
	beepOff = 0.15 // seconds of silence between beeps
)

func newBeepCapture(c media.Capture) *beepCapture { return &beepCapture{Capture: c} }

// start queues n beeps at hz; it is called from the controller's goroutine.
func (b *beepCapture) start(n int, hz int) {
	b.hz.Store(int64(hz))
	b.req.Store(int64(n))
}

func (b *beepCapture) Read(frames []int16) (int, error) {
	n, err := b.Capture.Read(frames)
	f := b.Format()
	per := int64(float64(f.Rate) * (beepOn + beepOff))
	if r := b.req.Swap(0); r > 0 {
		b.remaining, b.pos = r*per, 0
	}
	if b.remaining <= 0 || n <= 0 {
		return n, err
	}
	ch := max(f.Channels, 1)
	on := int64(float64(f.Rate) * beepOn)
	step := 2 * math.Pi * float64(b.hz.Load()) / float64(f.Rate)
	for i := 0; i < n && b.remaining > 0; i++ {
		if b.pos%per < on {
			v := int32(frames[i*ch]/2) + int32(8000*math.Sin(b.phase))
			s := int16(max(-32768, min(32767, v)))
			for c := 0; c < ch; c++ {
				frames[i*ch+c] = s
			}
			b.phase = math.Mod(b.phase+step, 2*math.Pi)
		}
		b.pos++
		b.remaining--
	}
	return n, err
}

func doorDTMF(c *call, d rune) door.PhoneEvent {
	return door.PhoneEvent{Kind: door.DTMF, Call: c, Digit: d}
}

func doorTimeout(c *call) door.PhoneEvent {
	return door.PhoneEvent{Kind: door.MediaTimeout, Call: c, Reason: "no RTP"}
}
