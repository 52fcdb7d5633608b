// Package testrun runs a UA, or anything with the same Run and Ready, for the length of a
// test. sip's own tests and sip/siptest both need it; it does not import sip, so that sip's
// in-package tests can use it without an import cycle.
package testrun

import (
	"context"
	"testing"
	"time"
)

// Run starts run in a goroutine with a context derived from ctx and returns once ready is
// closed, failing the test if run returns first. When the test ends it cancels that context
// and waits for run to return (10 s at most), reporting its error.
func Run(t testing.TB, ctx context.Context, run func(context.Context) error, ready <-chan struct{}) {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() { errc <- run(ctx) }()
	select {
	case <-ready:
	case err := <-errc:
		cancel()
		t.Fatalf("run: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-errc:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("run did not return")
		}
	})
}
