// Package clock is the time source every timer in the intercom reads: registration refresh,
// session timers, debounce, call limits and jitter-buffer playout. Production code uses Real;
// tests use Fake, which only moves when the test says so, so no test sleeps.
package clock

import "time"

// Clock is the injected time source.
type Clock interface {
	Now() time.Time
	// NewTimer fires once after d, like time.NewTimer.
	NewTimer(d time.Duration) Timer
	// NewTicker fires every d, like time.NewTicker.
	NewTicker(d time.Duration) Ticker
	// After is NewTimer(d).C() for callers that never stop the timer.
	After(d time.Duration) <-chan time.Time
	// Since is Now().Sub(t).
	Since(t time.Time) time.Duration
}

// Timer is the part of *time.Timer the intercom uses.
type Timer interface {
	C() <-chan time.Time
	Stop() bool
	Reset(d time.Duration) bool
}

// Ticker is the part of *time.Ticker the intercom uses.
type Ticker interface {
	C() <-chan time.Time
	Stop()
	Reset(d time.Duration)
}

// Real is the wall clock.
type Real struct{}

func (Real) Now() time.Time                         { return time.Now() }
func (Real) Since(t time.Time) time.Duration        { return time.Since(t) }
func (Real) After(d time.Duration) <-chan time.Time { return time.After(d) }
func (Real) NewTimer(d time.Duration) Timer         { return realTimer{time.NewTimer(d)} }
func (Real) NewTicker(d time.Duration) Ticker       { return realTicker{time.NewTicker(d)} }

type realTimer struct{ t *time.Timer }

func (r realTimer) C() <-chan time.Time        { return r.t.C }
func (r realTimer) Stop() bool                 { return r.t.Stop() }
func (r realTimer) Reset(d time.Duration) bool { return r.t.Reset(d) }

type realTicker struct{ t *time.Ticker }

func (r realTicker) C() <-chan time.Time   { return r.t.C }
func (r realTicker) Stop()                 { r.t.Stop() }
func (r realTicker) Reset(d time.Duration) { r.t.Reset(d) }
