package media

import (
	"sync"
	"time"

	"github.com/doorsip/intercom/internal/clock"
)

// pacer makes a software device block like a sound card: each call waits until the end of the
// period it covers, on the injected clock. The deadline advances by exactly the frames moved,
// so a caller that keeps up sees no drift; one that falls far behind is resynchronised rather
// than allowed to burst.
type pacer struct {
	clk   clock.Clock
	rate  int
	timer clock.Timer // reused so a steady call allocates nothing
	next  time.Time
	done  chan struct{}
	once  sync.Once

	// On the real clock a timerfd replaces the Go timer where the OS has one (pacer_linux.go),
	// made at the first wait so that a device never used holds no descriptor.
	real   bool
	mu     sync.Mutex // guards fd and closed between wait and close
	fd     *timerFD
	noFD   bool // the timerfd could not be made: the Go timer it is
	closed bool
}

// maxLag is how far behind the clock a caller may fall before the pacer resynchronises.
const maxLag = 200 * time.Millisecond

func newPacer(clk clock.Clock, rate int) *pacer {
	t := clk.NewTimer(time.Hour)
	t.Stop()
	_, real := clk.(clock.Real)
	return &pacer{clk: clk, rate: rate, timer: t, done: make(chan struct{}), real: real}
}

// wait blocks for the duration of frames frames, or until close.
func (p *pacer) wait(frames int) error {
	select {
	case <-p.done:
		return ErrClosed
	default:
	}
	now := p.clk.Now()
	if p.next.IsZero() || now.Sub(p.next) > maxLag {
		p.next = now
	}
	p.next = p.next.Add(time.Duration(frames) * time.Second / time.Duration(p.rate))
	d := p.next.Sub(now)
	if d <= 0 {
		return nil
	}
	if fd := p.timerFD(); fd != nil {
		if fd.sleep(d) != nil {
			return ErrClosed
		}
		return nil
	}
	// Drain a stale tick before rearming: the fake clock does not do it for us.
	select {
	case <-p.timer.C():
	default:
	}
	p.timer.Reset(d)
	select {
	case <-p.timer.C():
		return nil
	case <-p.done:
		p.timer.Stop()
		return ErrClosed
	}
}

// timerFD returns the pacer's timerfd, making it on first use; nil means use the Go timer.
func (p *pacer) timerFD() *timerFD {
	if !p.real {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fd == nil && !p.closed && !p.noFD {
		fd, err := newTimerFD()
		if err != nil {
			p.noFD = true
			return nil
		}
		p.fd = fd
	}
	return p.fd
}

func (p *pacer) close() {
	p.once.Do(func() {
		close(p.done)
		p.timer.Stop()
		p.mu.Lock()
		p.closed = true
		if p.fd != nil {
			p.fd.close() // wakes a wait parked on it
		}
		p.mu.Unlock()
	})
}
