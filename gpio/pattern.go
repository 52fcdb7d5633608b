package gpio

import (
	"fmt"
	"time"
)

// Pattern is what an LED shows; which state shows which is the controller's choice
// (door.DefaultLEDPattern, [[led]] pattern). The blinking ones repeat; their phase starts when SetLED
// changes the pattern, so setting the same pattern again does not restart it.
type Pattern uint8

const (
	Off        Pattern = iota // dark
	On                        // steady
	SlowBlink                 // 500 ms on, 500 ms off
	FastBlink                 // 100 ms on, 100 ms off
	Blip                      // 50 ms flash every 2 s
	DoubleBlip                // two 50 ms flashes every 2 s
	numPatterns
)

func (p Pattern) String() string {
	switch p {
	case Off:
		return "off"
	case On:
		return "on"
	case SlowBlink:
		return "slow-blink"
	case FastBlink:
		return "fast-blink"
	case Blip:
		return "blip"
	case DoubleBlip:
		return "double-blip"
	}
	return fmt.Sprintf("Pattern(%d)", uint8(p))
}

// ParsePattern turns a name as String prints it ("slow-blink") into a Pattern; the control
// socket and config use it.
func ParsePattern(s string) (Pattern, error) {
	for p := Off; p < numPatterns; p++ {
		if p.String() == s {
			return p, nil
		}
	}
	return Off, fmt.Errorf("%w: %q (expected one of off, on, slow-blink, fast-blink, blip, double-blip)", ErrBadPattern, s)
}

// steps returns the pattern's cycle as alternating on and off durations, starting with on;
// nil for the steady patterns.
func (p Pattern) steps() []time.Duration {
	const ms = time.Millisecond
	switch p {
	case SlowBlink:
		return []time.Duration{500 * ms, 500 * ms}
	case FastBlink:
		return []time.Duration{100 * ms, 100 * ms}
	case Blip:
		return []time.Duration{50 * ms, 1950 * ms}
	case DoubleBlip:
		return []time.Duration{50 * ms, 100 * ms, 50 * ms, 1800 * ms}
	}
	return nil
}

// at returns the level elapsed into the pattern and how long that level still lasts
// (0 for steady patterns, which never change by themselves).
func (p Pattern) at(elapsed time.Duration) (on bool, left time.Duration) {
	steps := p.steps()
	if steps == nil {
		return p == On, 0
	}
	var cycle time.Duration
	for _, s := range steps {
		cycle += s
	}
	if elapsed < 0 {
		elapsed = 0
	}
	pos := elapsed % cycle
	for i, s := range steps {
		if pos < s {
			return i%2 == 0, s - pos
		}
		pos -= s
	}
	return false, cycle // unreachable: pos < cycle
}
