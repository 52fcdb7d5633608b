package doortest

import (
	"context"
	"sync"
	"time"

	"github.com/doorsip/intercom/internal/door"
)

// Board is a fake door.Board. Pulse energises the relay and leaves it on (nothing times it
// here), so a test can see that Halt made it safe.
type Board struct {
	ev chan door.InputEvent

	mu      sync.Mutex
	leds    map[string]door.LEDPattern
	relays  map[string]bool
	pulses  []Pulse
	halts   int
	panicOn string
	fail    error
}

// Pulse is one recorded Board.Pulse call.
type Pulse struct {
	Relay string
	For   time.Duration
}

// NewBoard returns a fake board with every LED off and every relay released.
func NewBoard() *Board {
	return &Board{ev: make(chan door.InputEvent), leds: map[string]door.LEDPattern{}, relays: map[string]bool{}}
}

// Events implements door.Board.
func (b *Board) Events() <-chan door.InputEvent { return b.ev }

// Push hands ev to the controller, blocking until it takes it or ctx ends.
func (b *Board) Push(ctx context.Context, ev door.InputEvent) error {
	select {
	case b.ev <- ev:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *Board) check(name string) {
	if b.panicOn == name {
		panic("doortest: board " + name + " panics as asked")
	}
}

// SetLED implements door.Board.
func (b *Board) SetLED(name string, p door.LEDPattern) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.check("SetLED")
	if b.fail != nil {
		return b.fail
	}
	b.leds[name] = p
	return nil
}

// Pulse implements door.Board.
func (b *Board) Pulse(relay string, d time.Duration) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.check("Pulse")
	if b.fail != nil {
		return b.fail
	}
	b.relays[relay] = true
	b.pulses = append(b.pulses, Pulse{relay, d})
	return nil
}

// SetRelay implements door.Board.
func (b *Board) SetRelay(relay string, on bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.check("SetRelay")
	b.relays[relay] = on
	return nil
}

// Halt implements door.Board: every relay released, every LED off.
func (b *Board) Halt() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.halts++
	for k := range b.relays {
		b.relays[k] = false
	}
	for k := range b.leds {
		b.leds[k] = door.Off
	}
}

// Fail makes SetLED and Pulse return err (nil to stop).
func (b *Board) Fail(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fail = err
}

// PanicOn makes the named method ("SetLED", "Pulse", "SetRelay") panic.
func (b *Board) PanicOn(method string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.panicOn = method
}

// LED returns the pattern last set on name.
func (b *Board) LED(name string) door.LEDPattern {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.leds[name]
}

// Relay reports whether relay is energised.
func (b *Board) Relay(name string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.relays[name]
}

// Pulses returns every Pulse call.
func (b *Board) Pulses() []Pulse {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Pulse(nil), b.pulses...)
}

// Halts returns how many times Halt was called.
func (b *Board) Halts() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.halts
}
