package gpio

import "context"

// Bias is an input line's pull resistor setting.
type Bias uint8

const (
	BiasAsIs     Bias = iota // leave what the board or device tree set
	BiasPullUp               // "pull-up"
	BiasPullDown             // "pull-down"
	BiasDisable              // "disable": no pull at all
)

func parseBias(s string) (Bias, bool) {
	switch s {
	case "":
		return BiasAsIs, true
	case "pull-up":
		return BiasPullUp, true
	case "pull-down":
		return BiasPullDown, true
	case "disable":
		return BiasDisable, true
	}
	return 0, false
}

// polarity converts a logical level (true = active: pressed, lit, energised) to the physical
// one and back; it is its own inverse. Every active-low decision in the package goes through
// it.
func polarity(level, activeLow bool) bool { return level != activeLow }

// LineSpec is one line a Board asks its Driver for. Levels here are physical: the Board has
// already applied ActiveLow.
type LineSpec struct {
	Name   string
	Offset int  // line offset on the chip
	Output bool // false: input with edge detection on both edges
	// Initial is an output's physical level from the moment it becomes an output: its
	// inactive level. Drivers must make it part of the request, never a later write.
	Initial bool
	// ActiveLow is informational for Drivers (fakes use it to report logical levels); the
	// Board does the conversion.
	ActiveLow bool
	Bias      Bias // inputs only
}

// Driver hands out the lines of one chip. Open picks it from Config.Chip unless
// Options.Driver is set (gpio/gpiotest passes its fake there).
type Driver interface {
	// Request claims every line in specs at once. Indices in the returned Lines are indices
	// into specs.
	Request(specs []LineSpec) (Lines, error)
}

// Lines is a claimed set of lines. Implementations are safe for concurrent use.
type Lines interface {
	// Get returns the physical level of input i. (Reading an output is not asked for: the
	// Board remembers what it drove.)
	Get(i int) (bool, error)
	// Set drives output i to a physical level.
	Set(i int, high bool) error
	// Watch calls edge(i) for every level change of an input, including those that happened
	// since Request and before Watch, until ctx ends (then it returns nil) or the lines fail.
	// edge must not block for long. One Watch at a time.
	Watch(ctx context.Context, edge func(i int)) error
	// Close releases the lines.
	Close() error
}
