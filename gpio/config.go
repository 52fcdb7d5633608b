package gpio

import (
	"errors"
	"fmt"
	"time"

	"github.com/doorsip/intercom/internal/cfgerr"
)

// Config describes the board: which gpiochip, and which lines are buttons, LEDs, relays and
// sensor inputs. What a button does is the controller's business, not gpio's.
type Config struct {
	// Chip is a gpiochip name ("gpiochip0"), its label, or "sim" for lines driven from the
	// control socket (no hardware).
	Chip string
	// Debounce is how long an input must be stable before an edge counts.
	Debounce time.Duration
	// LongPress is how long a button is held before a LongPress event.
	LongPress time.Duration
	Buttons   []Input  // [[button]]
	Inputs    []Input  // [[input]]: exit button, door sensor, tamper switch
	LEDs      []Output // [[led]]
	Relays    []Output // the door relay ([door] relay_line) and any [[relay]]
	Readers   []Reader // [[reader]]: Wiegand data lines, claimed by OpenEdges, not the Board
	Keypads   []Keypad // [[keypad]]: claimed by OpenKeypad, not the Board
}

// Input is one input line.
type Input struct {
	Name      string
	Line      int
	ActiveLow bool
	// Bias is the line's pull: "" leaves what the board or device tree set, or "pull-up",
	// "pull-down", "disable". A button to ground with no external resistor needs "pull-up"
	// (and ActiveLow).
	Bias string
}

// Output is one output line (LED or relay). Its inactive level is driven before the line
// becomes an output, so an active-low relay never clicks at start-up.
type Output struct {
	Name      string
	Line      int
	ActiveLow bool
}

// Defaults returns the Config used for keys the file leaves out.
func Defaults() Config {
	return Config{Chip: "gpiochip0", Debounce: 30 * time.Millisecond, LongPress: 2 * time.Second}
}

// Validate reports every problem in c, joined. Keys name the section the line came from:
// "button[0].line", "led[1].line", "relay[0].line", "input[0].line".
func (c Config) Validate() error {
	var errs []error
	if c.Chip == "" {
		errs = append(errs, cfgerr.New("chip", "missing (expected e.g. \"gpiochip0\" or \"sim\")"))
	}
	if c.Debounce < 0 || c.Debounce > time.Second {
		errs = append(errs, cfgerr.New("debounce", "%s is out of range (expected 0 to 1s)", c.Debounce))
	}
	if c.LongPress < 100*time.Millisecond {
		errs = append(errs, cfgerr.New("long_press", "%s is too short (expected at least 100ms)", c.LongPress))
	}
	used := map[int]string{}
	names := map[string]string{}
	// Buttons and inputs share one name space (events carry only the name), LEDs and relays
	// another; a button and the LED inside it may both be called "bell".
	side := map[string]string{"button": "in", "input": "in", "led": "out", "relay": "out"}
	check := func(kind string, i int, name string, line int) {
		key := fmt.Sprintf("%s[%d]", kind, i)
		if name == "" {
			errs = append(errs, cfgerr.New(key+".name", "missing (expected a name such as \"bell\")"))
		} else if prev, ok := names[side[kind]+"/"+name]; ok {
			errs = append(errs, cfgerr.New(key+".name", "%q is already used by %s", name, prev))
		} else {
			names[side[kind]+"/"+name] = key
		}
		if line < 0 || line > 511 {
			errs = append(errs, cfgerr.New(key+".line", "%d is out of range (expected 0 to 511)", line))
			return
		}
		if prev, ok := used[line]; ok {
			errs = append(errs, cfgerr.New(key+".line", "line %d is already used by %s (expected each line once)", line, prev))
			return
		}
		used[line] = key
	}
	checkBias := func(kind string, i int, bias string) {
		if _, ok := parseBias(bias); !ok {
			errs = append(errs, cfgerr.New(fmt.Sprintf("%s[%d].bias", kind, i),
				"%q is not a bias (expected \"pull-up\", \"pull-down\", \"disable\" or empty)", bias))
		}
	}
	for i, b := range c.Buttons {
		check("button", i, b.Name, b.Line)
		checkBias("button", i, b.Bias)
	}
	for i, b := range c.Inputs {
		check("input", i, b.Name, b.Line)
		checkBias("input", i, b.Bias)
	}
	for i, l := range c.LEDs {
		check("led", i, l.Name, l.Line)
	}
	for i, r := range c.Relays {
		check("relay", i, r.Name, r.Line)
	}
	errs = append(errs, validateReaders(c.Readers, used)...)
	errs = append(errs, validateKeypads(c.Keypads, used)...)
	return errors.Join(errs...)
}
