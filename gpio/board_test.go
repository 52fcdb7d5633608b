package gpio

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/testpeer"
	"go.uber.org/goleak"
)

const ms = time.Millisecond

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// testConfig: an active-low bell button (to ground, pull-up), an active-high door contact,
// one LED and two relays of both polarities.
func testConfig() Config {
	c := Defaults()
	c.Chip = "sim"
	c.Buttons = []Input{{Name: "bell", Line: 0, ActiveLow: true, Bias: "pull-up"}}
	c.Inputs = []Input{{Name: "door", Line: 1}}
	c.LEDs = []Output{{Name: "bell", Line: 2}}
	c.Relays = []Output{{Name: "lock", Line: 3, ActiveLow: true}, {Name: "aux", Line: 4}}
	return c
}

// newSimBoard opens a sim board on a fake clock. Tests drive b.step() themselves instead of
// Run, so every deadline is processed at exactly the time the test chose.
func newSimBoard(t testing.TB, cfg Config) (*Board, *clock.Fake) {
	t.Helper()
	clk := clock.NewFake(t0)
	b, err := Open(cfg, Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	// Without Run nobody watches: register the board's callback as Run would.
	b.sim.lines.mu.Lock()
	b.sim.lines.edge = b.onEdge
	b.sim.lines.mu.Unlock()
	return b, clk
}

func drain(b *Board) []Event {
	var out []Event
	for {
		select {
		case ev := <-b.events:
			out = append(out, ev)
		default:
			return out
		}
	}
}

// physical reads a sim line's raw level.
func physical(b *Board, name string) bool {
	l := b.sim.lines
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, sp := range l.specs {
		if sp.Name == name && sp.Output {
			return l.level[i]
		}
	}
	panic("no output " + name)
}

type op struct {
	after time.Duration // advance the clock by this first
	do    string        // "press", "release" or "" (only advance)
	name  string        // input; default "bell"
}

type want struct {
	name string
	kind EventKind
	at   time.Duration // since t0
}

func runOps(t *testing.T, b *Board, clk *clock.Fake, ops []op) []want {
	t.Helper()
	var got []want
	for _, o := range ops {
		clk.Advance(o.after)
		b.step()
		name := o.name
		if name == "" {
			name = "bell"
		}
		var err error
		switch o.do {
		case "press":
			err = b.sim.Press(name)
		case "release":
			err = b.sim.Release(name)
		}
		if err != nil {
			t.Fatal(err)
		}
		b.step()
		for _, ev := range drain(b) {
			got = append(got, want{ev.Name, ev.Kind, ev.At.Sub(t0)})
		}
	}
	return got
}

func TestDebounceAndLongPress(t *testing.T) {
	tests := []struct {
		name     string
		debounce time.Duration
		ops      []op
		want     []want
	}{
		{"clean press", 30 * ms, []op{{0, "press", ""}, {30 * ms, "", ""}},
			[]want{{"bell", Press, 30 * ms}}},
		{"not yet settled", 30 * ms, []op{{0, "press", ""}, {29 * ms, "", ""}}, nil},
		{"bounces restart the debounce time", 30 * ms,
			[]op{{0, "press", ""}, {5 * ms, "release", ""}, {5 * ms, "press", ""}, {29 * ms, "", ""}, {1 * ms, "", ""}},
			[]want{{"bell", Press, 40 * ms}}},
		{"glitch shorter than debounce ignored", 30 * ms,
			[]op{{0, "press", ""}, {10 * ms, "release", ""}, {100 * ms, "", ""}}, nil},
		{"press and release", 30 * ms,
			[]op{{0, "press", ""}, {30 * ms, "", ""}, {200 * ms, "release", ""}, {30 * ms, "", ""}},
			[]want{{"bell", Press, 30 * ms}, {"bell", Release, 260 * ms}}},
		{"no debounce", 0, []op{{0, "press", ""}, {5 * ms, "release", ""}},
			[]want{{"bell", Press, 0}, {"bell", Release, 5 * ms}}},
		{"long press from the pressing edge", 30 * ms,
			[]op{{0, "press", ""}, {30 * ms, "", ""}, {1969 * ms, "", ""}, {1 * ms, "", ""}, {500 * ms, "release", ""}, {30 * ms, "", ""}},
			[]want{{"bell", Press, 30 * ms}, {"bell", LongPress, 2000 * ms}, {"bell", Release, 2530 * ms}}},
		{"released before long press", 30 * ms,
			[]op{{0, "press", ""}, {1 * time.Second, "release", ""}, {5 * time.Second, "", ""}},
			[]want{{"bell", Press, 30 * ms}, {"bell", Release, 1030 * ms}}},
		{"late wake-up keeps order and times", 30 * ms,
			[]op{{0, "press", ""}, {10 * time.Second, "", ""}},
			[]want{{"bell", Press, 30 * ms}, {"bell", LongPress, 2 * time.Second}}},
		{"inputs get no long press", 30 * ms,
			[]op{{0, "press", "door"}, {10 * time.Second, "", ""}, {0, "release", "door"}, {30 * ms, "", ""}},
			[]want{{"door", Press, 30 * ms}, {"door", Release, 10030 * ms}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Debounce = tc.debounce
			b, clk := newSimBoard(t, cfg)
			got := runOps(t, b, clk, tc.ops)
			if len(got) != len(tc.want) {
				t.Fatalf("events %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("event %d = %v, want %v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestActiveLow(t *testing.T) {
	b, _ := newSimBoard(t, testConfig())
	// At open every output is at its inactive level: high for the active-low lock.
	for name, phys := range map[string]bool{"lock": true, "aux": false, "bell": false} {
		if got := physical(b, name); got != phys {
			t.Errorf("%s physical level at open = %v, want %v", name, got, phys)
		}
	}
	if on, _ := b.Level("bell"); on {
		t.Error("idle active-low button reads as pressed")
	}
	if err := b.SetRelay("lock", true); err != nil {
		t.Fatal(err)
	}
	if physical(b, "lock") || !b.sim.Output("lock") {
		t.Error("active-low relay on: want physical low, logical on")
	}
	if err := b.SetRelay("aux", true); err != nil {
		t.Fatal(err)
	}
	if !physical(b, "aux") || !b.sim.Output("aux") {
		t.Error("active-high relay on: want physical high, logical on")
	}
	// A physically low active-low input is pressed.
	b.cfg.Debounce = 0
	if err := b.sim.Press("bell"); err != nil {
		t.Fatal(err)
	}
	b.step()
	if on, _ := b.Level("bell"); !on {
		t.Error("pressed active-low button reads as released")
	}
}

func TestPulse(t *testing.T) {
	type pulse struct {
		at, d time.Duration
	}
	tests := []struct {
		name   string
		pulses []pulse
		offAt  time.Duration
	}{
		{"single", []pulse{{0, 5 * time.Second}}, 5 * time.Second},
		{"a later pulse extends", []pulse{{0, 5 * time.Second}, {3 * time.Second, 5 * time.Second}}, 8 * time.Second},
		{"a shorter pulse never shortens", []pulse{{0, 5 * time.Second}, {1 * time.Second, time.Second}}, 5 * time.Second},
		{"1 ms", []pulse{{0, ms}}, ms},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, clk := newSimBoard(t, testConfig())
			for _, p := range tc.pulses {
				clk.Advance(p.at - clk.Since(t0))
				b.step()
				if err := b.Pulse("lock", p.d); err != nil {
					t.Fatal(err)
				}
			}
			clk.Advance(tc.offAt - time.Nanosecond - clk.Since(t0))
			b.step()
			if !b.sim.Output("lock") {
				t.Fatalf("relay off before %v", tc.offAt)
			}
			clk.Advance(time.Nanosecond)
			b.step()
			if b.sim.Output("lock") || !physical(b, "lock") {
				t.Fatalf("relay still on at %v", tc.offAt)
			}
		})
	}
}

func TestSetRelayCancelsPulse(t *testing.T) {
	b, clk := newSimBoard(t, testConfig())
	if err := b.Pulse("lock", time.Second); err != nil {
		t.Fatal(err)
	}
	if err := b.SetRelay("lock", true); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	b.step()
	if !b.sim.Output("lock") {
		t.Error("a held relay was switched off by an earlier pulse's end")
	}
}

func TestLEDPatterns(t *testing.T) {
	tests := []struct {
		p    Pattern
		at   []time.Duration
		want []bool
	}{
		{Off, []time.Duration{0, time.Hour}, []bool{false, false}},
		{On, []time.Duration{0, time.Hour}, []bool{true, true}},
		{SlowBlink, []time.Duration{0, 499 * ms, 500 * ms, 999 * ms, 1000 * ms, 10500 * ms}, []bool{true, true, false, false, true, false}},
		{FastBlink, []time.Duration{0, 100 * ms, 200 * ms, 350 * ms}, []bool{true, false, true, false}},
		{Blip, []time.Duration{0, 49 * ms, 50 * ms, 1999 * ms, 2000 * ms}, []bool{true, true, false, false, true}},
		{DoubleBlip, []time.Duration{0, 50 * ms, 150 * ms, 200 * ms, 2000 * ms}, []bool{true, false, true, false, true}},
	}
	for _, tc := range tests {
		t.Run(tc.p.String(), func(t *testing.T) {
			b, clk := newSimBoard(t, testConfig())
			if err := b.SetLED("bell", tc.p); err != nil {
				t.Fatal(err)
			}
			for i, at := range tc.at {
				clk.Advance(at - clk.Since(t0))
				b.step()
				if got := b.sim.Output("bell"); got != tc.want[i] {
					t.Errorf("at %v: lit = %v, want %v", at, got, tc.want[i])
				}
				// The same pattern again keeps the phase.
				if err := b.SetLED("bell", tc.p); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func TestPatternNames(t *testing.T) {
	for p := Off; p < numPatterns; p++ {
		got, err := ParsePattern(p.String())
		if err != nil || got != p {
			t.Errorf("ParsePattern(%q) = %v, %v", p.String(), got, err)
		}
	}
	if _, err := ParsePattern("disco"); !errors.Is(err, ErrBadPattern) {
		t.Errorf("ParsePattern(disco) error = %v, want ErrBadPattern", err)
	}
}

func FuzzParsePattern(f *testing.F) {
	for _, s := range []string{"off", "on", "slow-blink", "fast-blink", "blip", "double-blip", "", "ON", "slow"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePattern(s)
		if err != nil {
			return
		}
		if p.String() != s {
			t.Fatalf("ParsePattern(%q) = %v, which prints differently", s, p)
		}
		if on, left := p.at(time.Duration(len(s)) * 37 * ms); left < 0 || (p == Off && on) {
			t.Fatalf("%v: at() = %v, %v", p, on, left)
		}
	})
}

func TestErrors(t *testing.T) {
	b, _ := newSimBoard(t, testConfig())
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"SetLED on a relay", b.SetLED("lock", On), ErrUnknownLine},
		{"SetRelay on an LED", b.SetRelay("bell", true), ErrUnknownLine},
		{"Pulse unknown", b.Pulse("gate", time.Second), ErrUnknownLine},
		{"Pulse zero", b.Pulse("lock", 0), ErrBadDuration},
		{"bad pattern", b.SetLED("bell", numPatterns), ErrBadPattern},
		{"sim press unknown", b.sim.Press("nope"), ErrUnknownLine},
	}
	for _, tc := range tests {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: error %v, want %v", tc.name, tc.err, tc.want)
		}
	}
	if _, err := b.Level("nope"); !errors.Is(err, ErrUnknownLine) {
		t.Errorf("Level(nope) error %v", err)
	}
	if _, err := Open(Config{}, Options{}); err == nil {
		t.Error("Open accepted an empty config")
	}
}

func TestHaltAndClose(t *testing.T) {
	b, _ := newSimBoard(t, testConfig())
	for _, err := range []error{b.SetLED("bell", On), b.SetRelay("lock", true), b.Pulse("aux", time.Hour)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Halt(); err != nil {
		t.Fatal(err)
	}
	for name, phys := range map[string]bool{"lock": true, "aux": false, "bell": false} {
		if got := physical(b, name); got != phys {
			t.Errorf("after Halt %s physical = %v, want %v", name, got, phys)
		}
	}
	// Halt is not the end: the board still works.
	if err := b.SetRelay("lock", true); err != nil {
		t.Fatal(err)
	}
	sim := b.sim.lines
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	sim.closed = false // peek at the levels Close left
	if !physical(b, "lock") || physical(b, "aux") {
		t.Error("Close left a relay active")
	}
	sim.closed = true
	if err := b.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := b.Halt(); err != nil {
		t.Errorf("Halt after Close: %v", err)
	}
	if err := b.SetRelay("lock", true); !errors.Is(err, ErrClosed) {
		t.Errorf("SetRelay after Close: %v, want ErrClosed", err)
	}
	if err := b.Run(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("Run after Close: %v, want ErrClosed", err)
	}
	if _, ok := <-b.Events(); ok {
		t.Error("Events still open after Close")
	}
}

// waitFor polls cond while Run's goroutine catches up with a fake-clock step.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testpeer.WaitUntil(t, 5*time.Second, what, cond)
}

func nextEvent(t *testing.T, b *Board) Event {
	t.Helper()
	select {
	case ev := <-b.Events():
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
	}
	return Event{}
}

func TestRun(t *testing.T) {
	defer goleak.VerifyNone(t)
	clk := clock.NewFake(t0)
	b, err := Open(testConfig(), Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	// Pressed before Run: the edge is queued, as the kernel queues it.
	if err := b.Sim().Press("bell"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- b.Run(ctx) }()
	waitFor(t, "debounce armed", func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return !b.ins[0].settle.IsZero()
	})
	if err := b.Run(ctx); !errors.Is(err, ErrRunning) {
		t.Errorf("second Run: %v, want ErrRunning", err)
	}
	clk.Advance(30 * ms)
	if ev := nextEvent(t, b); ev.Name != "bell" || ev.Kind != Press || !ev.At.Equal(t0.Add(30*ms)) {
		t.Errorf("event %+v, want bell press at +30ms", ev)
	}
	if err := b.Pulse("lock", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	clk.Advance(5 * time.Second)
	waitFor(t, "pulse end", func() bool { return !b.Sim().Output("lock") })
	cancel()
	if err := <-runErr; err != nil {
		t.Errorf("Run: %v", err)
	}
	// Run again, then Close stops it.
	go func() { runErr <- b.Run(context.Background()) }()
	waitFor(t, "second Run", func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return b.running
	})
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-runErr; err != nil {
		t.Errorf("Run after Close: %v", err)
	}
}

func TestSimHoldAndTap(t *testing.T) {
	tests := []struct {
		name string
		do   func(*Sim) error
		want []want
	}{
		{"hold 3s", func(s *Sim) error { return s.Hold("bell", 3*time.Second) },
			[]want{{"bell", Press, 30 * ms}, {"bell", LongPress, 2 * time.Second}, {"bell", Release, 3030 * ms}}},
		{"tap", func(s *Sim) error { return s.Tap("bell") },
			[]want{{"bell", Press, 30 * ms}, {"bell", Release, 160 * ms}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, clk := newSimBoard(t, testConfig())
			if err := tc.do(b.Sim()); err != nil {
				t.Fatal(err)
			}
			var got []want
			for i := 0; i < 400; i++ { // 10 ms steps for 4 s
				clk.Advance(10 * ms)
				b.step()
				for _, ev := range drain(b) {
					got = append(got, want{ev.Name, ev.Kind, ev.At.Sub(t0)})
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("events %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("event %d = %v, want %v", i, got[i], tc.want[i])
				}
			}
		})
	}
	b, _ := newSimBoard(t, testConfig())
	if err := b.Sim().Hold("bell", 0); !errors.Is(err, ErrBadDuration) {
		t.Errorf("Hold 0: %v", err)
	}
}

func TestOpenWithoutLines(t *testing.T) {
	defer goleak.VerifyNone(t)
	c := Defaults() // chip gpiochip0, which this machine may not have: nothing is claimed
	b, err := Open(c, Options{Clock: clock.NewFake(t0)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	cancel()
	if err := <-done; err != nil {
		t.Error(err)
	}
	if err := b.Close(); err != nil {
		t.Error(err)
	}
}
