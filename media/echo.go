package media

import (
	"sync"

	"github.com/doorsip/intercom/internal/clock"
)

// echoMax bounds what an echo holds: more than this behind and the oldest audio goes.
const echoMax = 1 // seconds

// echoBuf joins an echo's two ends.
type echoBuf struct {
	mu      sync.Mutex
	f       Format
	ring    []int16
	r, n    int // read position and samples held
	dropped int
}

// EchoCapture and EchoPlayback are the two ends of NewEcho.
type EchoCapture struct {
	b *echoBuf
	p *pacer
}

type EchoPlayback struct {
	b *echoBuf
	p *pacer
}

// NewEcho returns a Playback and a Capture joined back to back: what a Session plays comes
// back as what it captures, one period later. It is the seed's SimpleEcho for `intercom
// echo`, which tests use to measure the round-trip delay of a call. Both ends are paced by
// clk like a card.
func NewEcho(f Format, clk clock.Clock) (*EchoCapture, *EchoPlayback) {
	b := &echoBuf{f: f, ring: make([]int16, max(1, f.Rate*f.Channels*echoMax))}
	return &EchoCapture{b: b, p: newPacer(clk, max(1, f.Rate))}, &EchoPlayback{b: b, p: newPacer(clk, max(1, f.Rate))}
}

// Format reports the echo's layout.
func (c *EchoCapture) Format() Format { return c.b.f }

// ClockPaced is true: Read waits on the clock, not on a card.
func (c *EchoCapture) ClockPaced() bool { return true }

// Read waits one period and returns what was played, or silence if not enough is held (so
// the echo never returns a torn period).
func (c *EchoCapture) Read(frames []int16) (int, error) {
	if err := c.b.f.check(); err != nil {
		return 0, err
	}
	n := len(frames) / c.b.f.Channels
	if err := c.p.wait(n); err != nil {
		return 0, err
	}
	b := c.b
	b.mu.Lock()
	defer b.mu.Unlock()
	k := n * b.f.Channels
	if b.n < k {
		clear(frames[:k])
		return n, nil
	}
	for i := 0; i < k; i++ {
		frames[i] = b.ring[b.r]
		b.r = (b.r + 1) % len(b.ring)
	}
	b.n -= k
	return n, nil
}

// Close unblocks a pending Read.
func (c *EchoCapture) Close() error {
	c.p.close()
	return nil
}

// Format reports the echo's layout.
func (p *EchoPlayback) Format() Format { return p.b.f }

// ClockPaced is true: Write waits on the clock, not on a card.
func (p *EchoPlayback) ClockPaced() bool { return true }

// Write holds frames for the capture end, after waiting for their period.
func (p *EchoPlayback) Write(frames []int16) (int, error) {
	if err := p.b.f.check(); err != nil {
		return 0, err
	}
	n := len(frames) / p.b.f.Channels
	if err := p.p.wait(n); err != nil {
		return 0, err
	}
	b := p.b
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, v := range frames[:n*b.f.Channels] {
		if b.n == len(b.ring) {
			b.r = (b.r + 1) % len(b.ring)
			b.n--
			b.dropped++
		}
		b.ring[(b.r+b.n)%len(b.ring)] = v
		b.n++
	}
	return n, nil
}

// Close unblocks a pending Write.
func (p *EchoPlayback) Close() error {
	p.p.close()
	return nil
}
