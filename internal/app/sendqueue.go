package app

import "context"

// sendQueue is one of a call's own senders (SIP INFO digits, in-dialog requests): a bounded
// queue and the goroutine that drains it, started by the first item and ended with the call,
// so the controller's loop hands work over and never waits for a transaction. The call's mu
// guards its fields.
type sendQueue[T any] struct {
	q    chan T
	stop context.CancelFunc
	done chan struct{}
}

// push hands v to the queue's goroutine, starting drain on the phone's wait group (under a
// context ended by halt or by the phone) when none runs; full is returned when n items
// already wait.
func (s *sendQueue[T]) push(c *call, v T, n int, full error, drain func(ctx context.Context, q <-chan T)) error {
	c.mu.Lock()
	if s.q == nil {
		p := c.p
		p.mu.Lock()
		parent := p.ctx
		p.mu.Unlock()
		ctx, cancel := context.WithCancel(parent)
		q, done := make(chan T, n), make(chan struct{})
		s.q, s.stop, s.done = q, cancel, done
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer close(done)
			drain(ctx, q)
		}()
	}
	q := s.q
	c.mu.Unlock()
	select {
	case q <- v:
		return nil
	default:
		return full
	}
}

// halt ends the queue's goroutine and forgets it (the next push starts another); the
// returned channel, nil when none ran, closes when the goroutine has returned.
func (s *sendQueue[T]) halt(c *call) <-chan struct{} {
	c.mu.Lock()
	stop, done := s.stop, s.done
	*s = sendQueue[T]{}
	c.mu.Unlock()
	if stop != nil {
		stop()
	}
	return done
}
