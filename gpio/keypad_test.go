package gpio_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/gpio"
	"github.com/doorsip/intercom/gpio/gpiotest"
	"github.com/doorsip/intercom/internal/clock"
)

type keypadRig struct {
	t       *testing.T
	clk     *clock.Fake
	m       *gpiotest.Matrix
	s       *gpio.KeypadScanner
	scanned chan bool
	done    chan error
}

func newKeypadRig(t *testing.T, cfg gpio.Keypad) *keypadRig {
	t.Helper()
	clk := clock.NewFake(time.Unix(1e9, 0))
	m := gpiotest.NewMatrix(cfg.Rows, cfg.Cols, cfg.ActiveLow)
	scanned := make(chan bool, 1000)
	s, err := gpio.OpenKeypad(cfg, gpio.KeypadOptions{Clock: clk, Driver: m, Debounce: 20 * time.Millisecond,
		Scanned: func(busy bool) { scanned <- busy }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &keypadRig{t: t, clk: clk, m: m, s: s, scanned: scanned, done: make(chan error, 1)}
	go func() { r.done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-r.done; err != nil {
			t.Errorf("Run: %v", err)
		}
		s.Close()
		if !m.RowsIdle() {
			t.Error("rows left driven after Close")
		}
	})
	// The start-up scan finds nothing down.
	if r.scan() {
		t.Fatal("a key down at start")
	}
	// The kernel queues edges from the request on; the fake only from Watch on.
	for deadline := time.Now().Add(5 * time.Second); !m.Watching(); time.Sleep(100 * time.Microsecond) {
		if time.Now().After(deadline) {
			t.Fatal("the scanner never watches its columns")
		}
	}
	return r
}

func (r *keypadRig) scan() bool {
	r.t.Helper()
	select {
	case b := <-r.scanned:
		return b
	case <-time.After(5 * time.Second):
		r.t.Fatalf("no scan (clock %s)", r.clk.Now().Sub(time.Unix(1e9, 0)))
		return false
	}
}

// tap holds key (row, col) for hold and releases it, stepping the clock one scan at a time.
func (r *keypadRig) tap(row, col int, hold time.Duration) {
	r.t.Helper()
	r.m.Press(row, col)
	// The press wakes the scanner; a scan left over from the last release may come first.
	for !r.scan() {
	}
	for d := time.Duration(0); d < hold; d += 5 * time.Millisecond {
		r.clk.Advance(5 * time.Millisecond)
		r.scan()
	}
	r.m.Release(row, col)
	for {
		r.clk.Advance(5 * time.Millisecond)
		if !r.scan() {
			return
		}
	}
}

func (r *keypadRig) keys() string {
	var b strings.Builder
	for {
		select {
		case k := <-r.s.Keys():
			b.WriteRune(k)
		default:
			return b.String()
		}
	}
}

func TestMatrixKeypad(t *testing.T) {
	r := newKeypadRig(t, gpio.Keypad{Name: "front", Rows: []int{1, 2, 3, 4}, Cols: []int{5, 6, 7}, Keys: "123456789*0#", ActiveLow: true})
	// 1 (row 0, col 0), 0 (row 3, col 1), # (row 3, col 2), each held 60 ms.
	for _, k := range [][2]int{{0, 0}, {3, 1}, {3, 2}, {2, 2}} {
		r.tap(k[0], k[1], 60*time.Millisecond)
	}
	if got := r.keys(); got != "10#9" {
		t.Fatalf("keys %q, want 10#9", got)
	}
	// A 10 ms bounce is shorter than the 20 ms debounce: no key.
	r.tap(1, 1, 10*time.Millisecond)
	// Held for a second: one key, not a repeat.
	r.tap(1, 1, time.Second)
	if got := r.keys(); got != "5" {
		t.Fatalf("keys %q, want 5 once", got)
	}
}

func TestButtonKeypad(t *testing.T) {
	r := newKeypadRig(t, gpio.Keypad{Name: "flat", Cols: []int{10, 11, 12}, Keys: "12#", ActiveLow: true})
	r.tap(-1, 1, 50*time.Millisecond)
	r.tap(-1, 2, 50*time.Millisecond)
	if got := r.keys(); got != "2#" {
		t.Fatalf("keys %q", got)
	}
}

func TestKeypadValidate(t *testing.T) {
	cfg := gpio.Defaults()
	cfg.Chip = "sim"
	cfg.Buttons = []gpio.Input{{Name: "bell", Line: 5}}
	cfg.Keypads = []gpio.Keypad{
		{Name: "a", Rows: []int{1, 2}, Cols: []int{3}, Keys: "123"},
		{Name: "b", Cols: []int{5}, Keys: "1"},
	}
	err := cfg.Validate()
	for _, want := range []string{`keypad[0].keys: "123" names 3 keys (expected 2`, "keypad[1]: line 5 is already used by button[0]"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in %v", want, err)
		}
	}
}
