package app

import (
	"context"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/doorsip/intercom/internal/clock"
)

// TestTrimmer runs in a synctest bubble: time moves only when every goroutine in it is
// blocked, so after synctest.Wait the trimmer has done all it will do until the next tick.
func TestTrimmer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var busy atomic.Bool
		var freed atomic.Int64
		tr := newTrimmer(clock.Real{}, busy.Load)
		tr.free = func() { freed.Add(1) }
		const delay = 2 * time.Second
		tr.delay = delay
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		go tr.run(ctx)

		// after lets d pass and returns the trims so far.
		after := func(d time.Duration) int64 {
			t.Helper()
			time.Sleep(d)
			synctest.Wait()
			return freed.Load()
		}
		idle := func() { tr.idle(); synctest.Wait() }

		idle()
		if n := after(delay - time.Millisecond); n != 0 {
			t.Fatalf("trimmed %d times before the delay", n)
		}
		if n := after(time.Millisecond); n != 1 {
			t.Fatalf("trims = %d at the delay, want 1", n)
		}

		// Idles in a row (a burst of short calls) trim once, the delay after the last.
		idle()
		after(time.Second)
		idle()
		after(time.Second)
		idle()
		if n := after(delay - time.Millisecond); n != 1 {
			t.Fatalf("trims = %d before the delay after the last idle, want 1", n)
		}
		if n := after(time.Millisecond); n != 2 {
			t.Fatalf("trims = %d after a burst, want 2", n)
		}

		// A call up when the delay runs out: no trim.
		busy.Store(true)
		idle()
		if n := after(delay); n != 2 {
			t.Fatalf("trims = %d with a call up, want 2", n)
		}
	})
}
