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
		for _, l := range []struct {
			k string
			v int
		}{{"d0", r.D0}, {"d1", r.D1}} {
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
