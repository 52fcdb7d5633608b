package gpio

import (
	"fmt"
	"time"
)

// output is one LED or relay.
type output struct {
	name      string
	idx       int
	activeLow bool
	relay     bool

	level      bool      // logical level last driven
	pattern    Pattern   // LEDs
	since      time.Time // when pattern started
	nextChange time.Time // when the pattern flips the LED next; zero for steady patterns
	pulseEnd   time.Time // relays: when the pulse ends; zero: no pulse
}

func (b *Board) findOut(name string, relay bool) (*output, error) {
	for _, o := range b.outs {
		if o.name == name && o.relay == relay {
			return o, nil
		}
	}
	kind := "led"
	if relay {
		kind = "relay"
	}
	return nil, fmt.Errorf("%w: no %s %q", ErrUnknownLine, kind, name)
}

// driveLocked sets an output's logical level; the only place that converts it to physical.
func (b *Board) driveLocked(o *output, on bool) error {
	if err := b.lines.Set(o.idx, polarity(on, o.activeLow)); err != nil {
		return fmt.Errorf("gpio: drive %s: %w", o.name, err)
	}
	if o.relay {
		b.log.Debug("gpio: relay", "name", o.name, "on", on)
	}
	o.level = on
	return nil
}

// SetLED shows p on the LED called name. Setting the pattern it already shows keeps the
// blink phase.
func (b *Board) SetLED(name string, p Pattern) error {
	if p >= numPatterns {
		return fmt.Errorf("%w: %d", ErrBadPattern, uint8(p))
	}
	return b.withOutput(name, false, func(o *output, now time.Time) error {
		if p != o.pattern || o.since.IsZero() {
			o.pattern, o.since = p, now
		}
		on := o.follow(now)
		b.rearmLocked(now)
		if on == o.level {
			return nil
		}
		return b.driveLocked(o, on)
	})
}

// follow returns the LED's pattern level at now and notes when it flips next.
func (o *output) follow(now time.Time) bool {
	on, left := o.pattern.at(now.Sub(o.since))
	o.nextChange = time.Time{}
	if left > 0 {
		o.nextChange = now.Add(left)
	}
	return on
}

// SetRelay switches a relay on or off and cancels any pulse on it.
func (b *Board) SetRelay(name string, on bool) error {
	return b.withOutput(name, true, func(o *output, now time.Time) error {
		o.pulseEnd = time.Time{}
		b.rearmLocked(now)
		return b.driveLocked(o, on)
	})
}

// Pulse switches a relay on for d, timed by the clock. A pulse during a pulse extends it
// when it would end later; it never shortens it. The end needs Run to be running.
func (b *Board) Pulse(name string, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("%w: %s", ErrBadDuration, d)
	}
	return b.withOutput(name, true, func(o *output, now time.Time) error {
		if end := now.Add(d); o.pulseEnd.IsZero() || end.After(o.pulseEnd) {
			o.pulseEnd = end
		}
		b.rearmLocked(now)
		return b.driveLocked(o, true)
	})
}

// withOutput runs f under the lock on the LED (relay false) or relay called name, with the
// clock's now, once the board is known to be open: the part SetLED, SetRelay and Pulse share.
func (b *Board) withOutput(name string, relay bool, f func(o *output, now time.Time) error) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrClosed
	}
	o, err := b.findOut(name, relay)
	if err != nil {
		return err
	}
	return f(o, b.clk.Now())
}

// drive is an output level change that step applies after rearming the timer.
type drive struct {
	o  *output
	on bool
}

func (b *Board) stepOutputsLocked(now time.Time) []drive {
	out := b.drives[:0] // reused: blinking allocates nothing
	for _, o := range b.outs {
		if !o.pulseEnd.IsZero() && !o.pulseEnd.After(now) {
			o.pulseEnd = time.Time{}
			out = append(out, drive{o, false})
		}
		if !o.nextChange.IsZero() && !o.nextChange.After(now) {
			if on := o.follow(now); on != o.level {
				out = append(out, drive{o, on})
			}
		}
	}
	b.drives = out
	return out
}

// Level reports the logical state of a line: a button's or input's debounced level (true =
// pressed/active), or what an LED or relay is driven to. Inputs are searched first, since a
// button and its LED may share a name.
func (b *Board) Level(name string) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false, ErrClosed
	}
	for _, in := range b.ins {
		if in.name == name {
			return in.stable, nil
		}
	}
	for _, o := range b.outs {
		if o.name == name {
			return o.level, nil
		}
	}
	return false, fmt.Errorf("%w: %q", ErrUnknownLine, name)
}
