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

	// step advances the clock once the trimmer has taken the kick and armed its timer.
	step := func(d time.Duration) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for len(tr.kick) > 0 || clk.Timers() == 0 {
			if time.Now().After(deadline) {
				t.Fatal("trimmer did not arm its timer")
			}
			time.Sleep(time.Millisecond)
		}
		clk.Advance(d)
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

	tr.idle()
	step(delay - time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	if n := freed.Load(); n != 0 {
		t.Fatalf("trimmed %d times before the delay", n)
	}
	clk.Advance(time.Millisecond)
	waitTrims(1)

	// Several idles in a row (a burst of short calls) trim once, after the last.
	tr.idle()
	step(time.Second)
	tr.idle()
	step(time.Second)
	tr.idle()
	step(delay)
	waitTrims(2)
	time.Sleep(20 * time.Millisecond)
	waitTrims(2)

	// A call up when the delay runs out: no trim.
	busy.Store(true)
	tr.idle()
	step(delay)
	time.Sleep(20 * time.Millisecond)
	waitTrims(2)
}
