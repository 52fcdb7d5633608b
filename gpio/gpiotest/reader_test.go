package gpiotest_test

import (
	"testing"
	"time"

	"github.com/doorsip/intercom/gpio"
	"github.com/doorsip/intercom/gpio/gpiotest"
	"github.com/doorsip/intercom/internal/clock"
)

// TestReaderSignalsOnTheBoard: a reader's LED and beeper wires are Board outputs, inactive
// from the request on and pulsed like relays; its data lines are left to OpenEdges.
func TestReaderSignalsOnTheBoard(t *testing.T) {
	clk := clock.NewFake(t0)
	fake := gpiotest.New(clk)
	cfg := gpio.Defaults()
	cfg.Chip = "sim"
	r := gpio.Reader{Name: "gate", D0: 5, D1: 6, LED: 7, Buzzer: 8, SignalActiveLow: true}
	cfg.Readers = []gpio.Reader{r}
	b, err := gpio.Open(cfg, gpio.Options{Clock: clk, Driver: fake})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Pulse(r.LEDName(), 3*time.Second); err != nil {
		t.Fatal(err)
	}
	if !fake.Output(r.LEDName()) || fake.Output(r.BuzzerName()) {
		t.Fatal("LED not lit, or beeper on")
	}
	if h := fake.History(r.BuzzerName()); len(h) != 1 || h[0].On {
		t.Fatalf("beeper history %v, want only its inactive level at the request", h)
	}
	if err := b.Pulse("reader-gate-d0", time.Second); err == nil {
		t.Fatal("a data line is a Board output")
	}
}
