package gpio

import (
	"context"
	"fmt"
	"time"

	"github.com/doorsip/intercom/internal/cfgerr"
)

// Reader is a pair of data lines read edge by edge with no debounce: a Wiegand card or
// keypad reader ([[reader]]). Its lines are outside the Board; OpenEdges claims them.
type Reader struct {
	Name   string
	D0, D1 int // line offsets
	// LED and Buzzer are the outputs that drive the reader's LED and beeper control wires
	// (-1: not wired). The Board claims them; Pulse them by LEDName and BuzzerName.
	// SignalActiveLow: the GPIO is low to light or beep (wired straight to an open-collector
	// input); false for the usual transistor between GPIO and the reader's 5 V input.
	LED, Buzzer     int
	SignalActiveLow bool
}

// LEDName is the Board output of the reader's LED wire.
func (r Reader) LEDName() string { return "reader-" + r.Name + "-led" }

// BuzzerName is the Board output of the reader's beeper wire.
func (r Reader) BuzzerName() string { return "reader-" + r.Name + "-buzzer" }

// signals are the Board outputs of the readers' LED and beeper wires.
func (c Config) signals() []Output {
	var out []Output
	for _, r := range c.Readers {
		if r.LED >= 0 {
			out = append(out, Output{Name: r.LEDName(), Line: r.LED, ActiveLow: r.SignalActiveLow})
		}
		if r.Buzzer >= 0 {
			out = append(out, Output{Name: r.BuzzerName(), Line: r.Buzzer, ActiveLow: r.SignalActiveLow})
		}
	}
	return out
}

// EdgeBufferSize is the kernel event buffer asked for per reader: a 34-bit frame is 34
// events on two lines, and the kernel's default (16 per line) would drop the tail of a
// frame whenever the reading goroutine is a few milliseconds late.
const EdgeBufferSize = 256

// EdgeEvent is one falling edge (a pulse start; the lines idle high).
type EdgeEvent struct {
	Line int           // index into the offsets given to OpenEdges
	At   time.Duration // kernel CLOCK_MONOTONIC timestamp
	// Lost is how many edges the kernel dropped before this one (a gap in its sequence
	// numbers): the frame being read is damaged.
	Lost uint32
}

// EdgeLines are claimed edge-watched lines.
type EdgeLines interface {
	// Run calls fn for every edge, in order, until ctx ends (then it returns nil).
	Run(ctx context.Context, fn func(EdgeEvent)) error
	Close() error
}

// validateReaders checks [[reader]] entries against the lines already used.
func validateReaders(rs []Reader, used map[int]string) []error {
	var errs []error
	names := map[string]bool{}
	for i, r := range rs {
		key := fmt.Sprintf("reader[%d]", i)
		if r.Name == "" || names[r.Name] {
			errs = append(errs, cfgerr.New(key+".name", "%q is missing or used twice (expected a name such as \"gate\")", r.Name))
		}
		names[r.Name] = true
		lines := []struct {
			k string
			v int
		}{{"d0", r.D0}, {"d1", r.D1}}
		if r.LED >= 0 {
			lines = append(lines, struct {
				k string
				v int
			}{"led", r.LED})
		}
		if r.Buzzer >= 0 {
			lines = append(lines, struct {
				k string
				v int
			}{"buzzer", r.Buzzer})
		}
		for _, l := range lines {
			if l.v < 0 || l.v > 511 {
				errs = append(errs, cfgerr.New(key+"."+l.k, "%d is out of range (expected 0 to 511)", l.v))
				continue
			}
			if prev, ok := used[l.v]; ok {
				errs = append(errs, cfgerr.New(key+"."+l.k, "line %d is already used by %s (expected each line once)", l.v, prev))
				continue
			}
			used[l.v] = key
		}
	}
	return errs
}
