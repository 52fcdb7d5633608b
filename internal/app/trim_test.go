package app

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
)

func TestTrimmer(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	var busy atomic.Bool
	var freed atomic.Int64
	tr := newTrimmer(clk, busy.Load)
	tr.free = func() { freed.Add(1) }
	const delay = 2 * time.Second
	tr.delay = delay
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); tr.run(ctx) }()
	defer func() { cancel(); wg.Wait() }()

	// idle kicks the trimmer and waits until it has armed its timer for that kick, so the
	// fake clock moves only after the trimmer has seen everything sent so far.
	kicks := int64(0)
	idle := func() {
		t.Helper()
		tr.idle()
		kicks++
		deadline := time.Now().Add(5 * time.Second)
		for tr.arms.Load() != kicks {
			if time.Now().After(deadline) {
				t.Fatalf("trimmer took %d kicks, want %d", tr.arms.Load(), kicks)
			}
			time.Sleep(time.Millisecond)
		}
	}
	waitTrims := func(want int64) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for tr.trims.Load() != want || freed.Load() != want {
			if time.Now().After(deadline) {
				t.Fatalf("trims = %d, freed = %d; want %d", tr.trims.Load(), freed.Load(), want)
			}
			time.Sleep(time.Millisecond)
		}
	}

	idle()
	clk.Advance(delay - time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	if n := freed.Load(); n != 0 {
		t.Fatalf("trimmed %d times before the delay", n)
	}
	clk.Advance(time.Millisecond)
	waitTrims(1)

	// Idles in a row (a burst of short calls) trim once, the delay after the last.
	idle()
	clk.Advance(time.Second)
	idle()
	clk.Advance(time.Second)
	idle()
	clk.Advance(delay - time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	waitTrims(1)
	clk.Advance(time.Millisecond)
	waitTrims(2)

	// A call up when the delay runs out: no trim.
	busy.Store(true)
	idle()
	clk.Advance(delay)
	time.Sleep(20 * time.Millisecond)
	waitTrims(2)
}
