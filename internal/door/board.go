package door

import "time"

// RelayDoor is the name of the door relay on the Board; the lead maps [door] relay_line to it.
const RelayDoor = "door"

// Board is the GPIO side as the controller sees it; internal/app adapts gpio.Board to it.
type Board interface {
	// Events delivers debounced button and input events, named as in the config.
	Events() <-chan InputEvent
	SetLED(name string, p LEDPattern) error
	// Pulse energises relay for d; the board releases it itself, so a stuck controller
	// cannot hold the door open.
	Pulse(relay string, d time.Duration) error
	SetRelay(relay string, on bool) error
	// Halt drives every relay and LED to its safe level. It must be safe to call at any time,
	// from any goroutine, more than once.
	Halt()
}

// InputKind is what happened to a button or input.
type InputKind int

// Kinds of InputEvent.
const (
	Press InputKind = iota + 1
	Release
	LongPress
)

func (k InputKind) String() string {
	switch k {
	case Press:
		return "press"
	case Release:
		return "release"
	case LongPress:
		return "long-press"
	}
	return "unknown"
}

// InputEvent is one edge of a named [[button]] or [[input]].
type InputEvent struct {
	Name string
	Kind InputKind
}

// LEDPattern is what an LED shows.
type LEDPattern int

// LED patterns (the board times them: gpio.Pattern).
const (
	Off        LEDPattern = iota
	On                    // steady
	SlowBlink             // 500 ms on, 500 ms off
	FastBlink             // 100 ms on, 100 ms off
	Blip                  // a 50 ms flash every 2 s
	DoubleBlip            // two 50 ms flashes every 2 s
	numLEDPatterns
)

var ledPatternNames = [...]string{"off", "on", "slow-blink", "fast-blink", "blip", "double-blip"}

func (p LEDPattern) String() string {
	if p >= 0 && p < numLEDPatterns {
		return ledPatternNames[p]
	}
	return "unknown"
}

// ParseLEDPattern reads a pattern's name as String prints it.
func ParseLEDPattern(s string) (LEDPattern, bool) {
	for p := Off; p < numLEDPatterns; p++ {
		if ledPatternNames[p] == s {
			return p, true
		}
	}
	return Off, false
}
