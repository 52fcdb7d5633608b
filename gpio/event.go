package gpio

import (
	"fmt"
	"time"
)

// EventKind is what happened to an input.
type EventKind uint8

const (
	// Press: the input became active and stayed so for the debounce time.
	Press EventKind = iota + 1
	// Release: the input became inactive and stayed so for the debounce time.
	Release
	// LongPress: a button (not an [[input]]) has been held for Config.LongPress since the
	// edge that pressed it. Its Release still follows.
	LongPress
)

func (k EventKind) String() string {
	switch k {
	case Press:
		return "press"
	case Release:
		return "release"
	case LongPress:
		return "long-press"
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Event is a debounced input change, for Buttons and Inputs alike.
type Event struct {
	Name string
	Kind EventKind
	// At is when the change was confirmed (the end of the debounce time) or, for LongPress,
	// when the hold time was reached; taken from the injected clock.
	At time.Time
}
