package access

import (
	"fmt"
	"strconv"
	"strings"
)

// Card is a stored card or fob.
type Card struct {
	// Raw: Number is the whole frame as read, parity bits included (37-bit formats the
	// decoder does not know, or readers set to raw). Otherwise Number is the card number.
	Raw bool
	// Facility is the facility (site) code the card must carry; -1 accepts any.
	Facility int
	Number   uint64
}

// Read is what a reader produced.
type Read struct {
	Bits int    // frame length
	Raw  uint64 // every bit of the frame, first bit most significant
	// Decoded: the frame had a known format with good parity, and Facility (-1 when the
	// format has none) and Number hold its fields.
	Decoded  bool
	Facility int
	Number   uint64
}

// ParseCard reads "FACILITY:NUMBER" ("12:34567"), "NUMBER" (any facility) or
// "raw:VALUE" (the whole frame; decimal or 0x hex).
func ParseCard(s string) (Card, error) {
	s = strings.TrimSpace(s)
	num := func(v string) (uint64, bool) {
		n, err := strconv.ParseUint(v, 0, 64)
		return n, err == nil
	}
	if v, ok := strings.CutPrefix(s, "raw:"); ok {
		n, ok := num(v)
		if !ok {
			return Card{}, fmt.Errorf("%w: %q (expected raw:0x1A2B3C or raw:1715004)", ErrCard, s)
		}
		return Card{Raw: true, Facility: -1, Number: n}, nil
	}
	c := Card{Facility: -1}
	v := s
	if f, n, ok := strings.Cut(s, ":"); ok {
		fc, err := strconv.ParseUint(f, 10, 16)
		if err != nil {
			return Card{}, fmt.Errorf("%w: %q: facility %q (expected 0 to 65535)", ErrCard, s, f)
		}
		c.Facility = int(fc)
		v = n
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return Card{}, fmt.Errorf("%w: %q (expected FACILITY:NUMBER such as 12:34567, NUMBER, or raw:0xHEX)", ErrCard, s)
	}
	c.Number = n
	return c, nil
}

// String gives the card back in ParseCard's syntax.
func (c Card) String() string {
	switch {
	case c.Raw:
		return fmt.Sprintf("raw:0x%X", c.Number)
	case c.Facility >= 0:
		return fmt.Sprintf("%d:%d", c.Facility, c.Number)
	}
	return strconv.FormatUint(c.Number, 10)
}

// Matches reports whether r is this card.
func (c Card) Matches(r Read) bool {
	if c.Raw {
		return r.Raw == c.Number
	}
	if !r.Decoded || r.Number != c.Number {
		return false
	}
	return c.Facility < 0 || c.Facility == r.Facility
}

// String describes a read for the event log: the card number is not a secret (it is
// printed on most fobs), and the log must say which card was refused.
func (r Read) String() string {
	if r.Decoded {
		if r.Facility >= 0 {
			return fmt.Sprintf("%d:%d", r.Facility, r.Number)
		}
		return strconv.FormatUint(r.Number, 10)
	}
	return fmt.Sprintf("raw:0x%X/%d", r.Raw, r.Bits)
}
