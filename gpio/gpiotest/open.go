package gpiotest

import (
	"context"
	"testing"
	"time"

	"github.com/doorsip/intercom/gpio"
	"github.com/doorsip/intercom/internal/clock"
)

// Open opens a Board on a Fake, runs it, and waits until it watches its inputs. Cleanup
// closes the Board and checks that Run ended without error.
func Open(tb testing.TB, cfg gpio.Config, clk clock.Clock) (*gpio.Board, *Fake) {
	tb.Helper()
	f := New(clk)
	b, err := gpio.Open(cfg, gpio.Options{Clock: clk, Driver: f})
	if err != nil {
		tb.Fatalf("gpiotest: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- b.Run(context.Background()) }()
	tb.Cleanup(func() {
		if err := b.Close(); err != nil {
			tb.Errorf("gpiotest: close: %v", err)
		}
		if err := <-done; err != nil {
			tb.Errorf("gpiotest: run: %v", err)
		}
	})
	// A real-time bound only so that a broken Board fails instead of hanging the test.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.WaitWatching(ctx); err != nil {
		tb.Fatal(err)
	}
	return b, f
}
