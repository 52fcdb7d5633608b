package gpiotest_test

import (
	"context"
	"testing"
	"time"

	"github.com/doorsip/intercom/gpio"
	"github.com/doorsip/intercom/gpio/gpiotest"
	"github.com/doorsip/intercom/internal/clock"
	"go.uber.org/goleak"
)

const ms = time.Millisecond

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func config() gpio.Config {
	c := gpio.Defaults()
	c.Chip = "fake"
	c.Buttons = []gpio.Input{{Name: "bell", Line: 0, ActiveLow: true}}
	c.Inputs = []gpio.Input{{Name: "exit", Line: 1}}
	c.LEDs = []gpio.Output{{Name: "bell", Line: 2}}
	c.Relays = []gpio.Output{{Name: "lock", Line: 3, ActiveLow: true}}
	return c
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

func next(t *testing.T, b *gpio.Board) gpio.Event {
	t.Helper()
	select {
	case ev := <-b.Events():
		return ev
	case <-ctx(t).Done():
		t.Fatal("no event")
	}
	return gpio.Event{}
}

// The scenario a controller test runs: bell pressed, door pulsed, LED blinking, then Close.
func TestDoorScenario(t *testing.T) {
	defer goleak.VerifyNone(t)
	clk := clock.NewFake(t0)
	b, fake := gpiotest.Open(t, config(), clk)

	if err := fake.Press("bell"); err != nil {
		t.Fatal(err)
	}
	clk.Advance(30 * ms)
	if ev := next(t, b); ev.Kind != gpio.Press || ev.Name != "bell" || !ev.At.Equal(t0.Add(30*ms)) {
		t.Fatalf("got %+v, want bell press at +30ms", ev)
	}
	if err := b.Pulse("lock", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := b.SetLED("bell", gpio.SlowBlink); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ { // step by step, so every flip is recorded at its exact time
		clk.Advance(500 * ms)
		if err := fake.WaitOutput(ctx(t), "bell", i%2 == 1); err != nil {
			t.Fatal(err)
		}
	}
	if err := fake.WaitOutput(ctx(t), "lock", false); err != nil {
		t.Fatal(err)
	}
	want := []gpiotest.Change{
		{Name: "lock", On: false, At: t0},
		{Name: "lock", On: true, At: t0.Add(30 * ms)},
		{Name: "lock", On: false, At: t0.Add(5030 * ms)},
	}
	got := fake.History("lock")
	if len(got) != len(want) {
		t.Fatalf("lock history %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("lock change %d = %v, want %v", i, got[i], want[i])
		}
	}
	if n := len(fake.History("bell")); n != 12 { // initial, on, then 10 flips
		t.Errorf("bell LED has %d changes, want 12: %v", n, fake.History("bell"))
	}
	if err := b.SetRelay("lock", true); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if fake.Output("lock") || fake.Output("bell") || !fake.Released() {
		t.Error("Close left an output active or the lines claimed")
	}
}

func TestHaltFromRecover(t *testing.T) {
	clk := clock.NewFake(t0)
	b, fake := gpiotest.Open(t, config(), clk)
	func() {
		defer func() {
			if recover() != nil {
				_ = b.Halt()
			}
		}()
		if err := b.SetRelay("lock", true); err != nil {
			t.Fatal(err)
		}
		panic("controller bug")
	}()
	if fake.Output("lock") {
		t.Error("relay still energised after Halt")
	}
}

func TestInputsTable(t *testing.T) {
	tests := []struct {
		name  string
		press string
		want  gpio.Event
	}{
		{"active-low button", "bell", gpio.Event{Name: "bell", Kind: gpio.Press}},
		{"active-high input", "exit", gpio.Event{Name: "exit", Kind: gpio.Press}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := clock.NewFake(t0)
			b, fake := gpiotest.Open(t, config(), clk)
			if err := fake.Press(tc.press); err != nil {
				t.Fatal(err)
			}
			clk.Advance(30 * ms)
			ev := next(t, b)
			if ev.Name != tc.want.Name || ev.Kind != tc.want.Kind {
				t.Errorf("got %+v, want %+v", ev, tc.want)
			}
			if on, err := b.Level(tc.press); err != nil || !on {
				t.Errorf("Level(%s) = %v, %v; want true", tc.press, on, err)
			}
		})
	}
}

func TestReopenAfterClose(t *testing.T) {
	clk := clock.NewFake(t0)
	fake := gpiotest.New(clk)
	open := func() *gpio.Board {
		b, err := gpio.Open(config(), gpio.Options{Clock: clk, Driver: fake})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	b := open()
	if _, err := gpio.Open(config(), gpio.Options{Clock: clk, Driver: fake}); err == nil {
		t.Error("a second Board claimed lines still in use")
	}
	if err := b.SetRelay("lock", true); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Second)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b = open()
	defer b.Close()
	want := []gpiotest.Change{
		{Name: "lock", On: false, At: t0},
		{Name: "lock", On: true, At: t0},
		{Name: "lock", On: false, At: t0.Add(time.Second)}, // Close
		{Name: "lock", On: false, At: t0.Add(time.Second)}, // the new request
	}
	got := fake.History("lock")
	if len(got) != len(want) {
		t.Fatalf("history %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("change %d = %v, want %v", i, got[i], want[i])
		}
	}
}
