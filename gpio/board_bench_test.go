package gpio

import (
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
)

// manualClock is a Clock whose time the benchmark sets; its timers never fire (the benchmark
// calls step itself), so only the Board's own cost is measured, not clock.Fake's bookkeeping.
type manualClock struct{ now time.Time }

type idleTimer struct{ c chan time.Time }

func (m *manualClock) Now() time.Time                       { return m.now }
func (m *manualClock) Since(t time.Time) time.Duration      { return m.now.Sub(t) }
func (m *manualClock) After(time.Duration) <-chan time.Time { return nil }
func (m *manualClock) NewTimer(time.Duration) clock.Timer   { return idleTimer{make(chan time.Time)} }
func (m *manualClock) NewTicker(time.Duration) clock.Ticker { panic("unused") }
func (t idleTimer) C() <-chan time.Time                     { return t.c }
func (t idleTimer) Stop() bool                              { return true }
func (t idleTimer) Reset(time.Duration) bool                { return true }

func benchBoard(b *testing.B) (*Board, *manualClock) {
	clk := &manualClock{now: t0}
	board, err := Open(testConfig(), Options{Clock: clk})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = board.Close() })
	board.sim.lines.edge = board.onEdge
	return board, clk
}

// BenchmarkPressRelease is one debounced press and release through the Board and sim lines:
// the per-edge cost, and whether anything allocates per event.
func BenchmarkPressRelease(b *testing.B) {
	board, clk := benchBoard(b)
	sim := board.Sim()
	b.ReportAllocs()
	for b.Loop() {
		_ = sim.Press("bell")
		clk.now = clk.now.Add(30 * time.Millisecond)
		board.step()
		_ = sim.Release("bell")
		clk.now = clk.now.Add(30 * time.Millisecond)
		board.step()
		<-board.events
		<-board.events
	}
}

// BenchmarkBlink is one LED flip of a running pattern.
func BenchmarkBlink(b *testing.B) {
	board, clk := benchBoard(b)
	_ = board.SetLED("bell", FastBlink)
	b.ReportAllocs()
	for b.Loop() {
		clk.now = clk.now.Add(100 * time.Millisecond)
		board.step()
	}
}
