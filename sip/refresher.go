package sip

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	gosip "github.com/emiago/sipgo/sip"
)

// refresher is the loop both soft states we hold at a server share, the PUBLISH of the
// door's state and the SUBSCRIBE for message waiting: send at once, again at half the time
// granted (as registrations refresh), after a backoff when a send fails, and at once when
// kick fires; when ctx ends it calls end (withdraw, unsubscribe) and returns. Before each
// send, and when moved fires, follow points it at the registrar holding the binding; a move
// that changed nothing does not send.
type refresher struct {
	clk    clock.Clock
	kick   <-chan struct{}
	moved  <-chan struct{}
	follow func() bool
	// send makes one attempt and returns the Expires granted.
	send func(ctx context.Context) (time.Duration, error)
	// sent runs after a success, once the refresh timer is armed, so that a test moving a
	// fake clock on what sent makes visible cannot run ahead of the timer.
	sent   func(granted time.Duration)
	failed func(retry time.Duration, err error)
	end    func()
}

func (r refresher) run(ctx context.Context) {
	bo := clock.NewBackoff(5*time.Second, 5*time.Minute)
	var t clock.Timer // the next refresh or retry; nil: send now
	for {
		if t != nil {
			if !r.wait(ctx, t) {
				r.end()
				return
			}
			t.Stop()
		}
		r.follow()
		granted, err := r.send(ctx)
		if ctx.Err() != nil {
			r.end()
			return
		}
		if err != nil {
			wait := bo.Next()
			t = r.clk.NewTimer(wait)
			r.failed(wait, err)
			continue
		}
		bo.Reset()
		t = r.clk.NewTimer(granted / 2)
		if r.sent != nil {
			r.sent(granted)
		}
	}
}

// wait returns true when it is time to send again, false when ctx ended.
func (r refresher) wait(ctx context.Context, t clock.Timer) bool {
	for {
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-r.kick:
			return true
		case <-r.moved:
			if r.follow() {
				return true
			}
		case <-t.C():
			return true
		}
	}
}

// minExpires reads the Min-Expires of a 423 (RFC 3261 section 10.2.8, RFC 3903, RFC 6665):
// the interval to ask for next.
func minExpires(res *gosip.Response) (time.Duration, bool) {
	h := res.GetHeader("Min-Expires")
	if h == nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(h.Value()))
	if err != nil || n <= 0 {
		return 0, false
	}
	return time.Duration(n) * time.Second, true
}
