package wiegand

import (
	"errors"
	"fmt"
	"time"

	"github.com/doorsip/intercom/internal/cfgerr"
)

// Line is one of the two data lines.
type Line uint8

const (
	D0 Line = iota // a pulse is a 0 bit
	D1             // a pulse is a 1 bit
)

// Edge is the start of one pulse (a falling edge: the lines idle high). At is a monotonic
// timestamp, e.g. the kernel's CLOCK_MONOTONIC time of a GPIO v2 line event.
type Edge struct {
	Line Line
	At   time.Duration
}

// Config selects the formats and the end-of-frame silence.
type Config struct {
	// Gap is the silence that ends a frame. Readers leave 0.2 to 20 ms between bits and
	// far more between frames; 25 ms sits above the slowest legal bit gap.
	Gap time.Duration
	// W37 accepts 37-bit H10304 frames; Raw hands any other length (4 to 64 bits) on
	// undecoded; Keys decodes 4- and 8-bit keypad frames as keys.
	W37, Raw, Keys bool
}

// Defaults returns 26- and 34-bit frames with a 25 ms gap.
func Defaults() Config { return Config{Gap: 25 * time.Millisecond} }

// Validate reports every problem in c, joined.
func (c Config) Validate() error {
	if c.Gap < 2*time.Millisecond || c.Gap > time.Second {
		return cfgerr.New("gap", "%s is out of range (expected 2ms to 1s; readers pause up to 20ms between bits)", c.Gap)
	}
	return nil
}

// Frame is the bits of one frame as read, first bit most significant.
type Frame struct {
	Bits int
	Data uint64
	// Lost: edges of this frame were lost (reported by MarkLost); the frame is refused.
	Lost bool
}

func (f Frame) String() string { return fmt.Sprintf("%d bits 0x%X", f.Bits, f.Data) }

// Decoder collects edges into frames. It is not safe for concurrent use.
type Decoder struct {
	cfg  Config
	cur  Frame
	over bool // more than 64 bits
	last time.Duration
}

// NewDecoder returns a decoder for cfg (already validated).
func NewDecoder(cfg Config) *Decoder { return &Decoder{cfg: cfg} }

// Add feeds one edge. An edge after Gap of silence first ends the frame before it, which
// Add then returns (done true). Edges must come in time order.
func (d *Decoder) Add(e Edge) (f Frame, done bool) {
	if d.cur.Bits > 0 || d.over {
		if e.At-d.last >= d.cfg.Gap {
			f, done = d.take()
		}
	}
	d.last = e.At
	if d.cur.Bits == 64 {
		d.over = true
		return f, done
	}
	d.cur.Data = d.cur.Data<<1 | uint64(e.Line&1)
	d.cur.Bits++
	return f, done
}

// MarkLost records that edges were lost in the frame being read (a gap in the kernel's
// sequence numbers): the frame will come out with Lost set.
func (d *Decoder) MarkLost() { d.cur.Lost = true }

// Due reports whether a frame is being read, and when its silence ends it.
func (d *Decoder) Due() (time.Duration, bool) {
	if d.cur.Bits == 0 && !d.over {
		return 0, false
	}
	return d.last + d.cfg.Gap, true
}

// Flush ends the frame being read if now is Gap past its last edge.
func (d *Decoder) Flush(now time.Duration) (Frame, bool) {
	if at, ok := d.Due(); !ok || now < at {
		return Frame{}, false
	}
	return d.take()
}

func (d *Decoder) take() (Frame, bool) {
	f := d.cur
	if d.over {
		f.Bits = 65 // refused by Decode as too long
	}
	d.cur, d.over = Frame{}, false
	return f, true
}

// Kind is what a frame carried.
type Kind uint8

const (
	Card Kind = iota
	Key
)

// Read is a decoded frame.
type Read struct {
	Kind Kind
	Bits int
	Raw  uint64 // every bit, parity included
	// Decoded: a known card format with good parity; Facility (-1 for none) and Number
	// hold its fields. A raw frame has only Raw.
	Decoded  bool
	Facility int
	Number   uint64
	Key      rune // Kind Key: '0'-'9', '*', '#'
}

// Decode turns a frame into a card or key under cfg's formats.
func (c Config) Decode(f Frame) (Read, error) {
	r := Read{Bits: f.Bits, Raw: f.Data, Facility: -1}
	switch {
	case f.Lost:
		return r, fmt.Errorf("%w: %v", ErrLost, f)
	case f.Bits > 64:
		return r, ErrOverflow
	case f.Bits == 26:
		return r, r.card(f, 13, 13, 8, 16)
	case f.Bits == 34:
		return r, r.card(f, 17, 17, 16, 16)
	case f.Bits == 37 && c.W37:
		return r, r.card(f, 19, 19, 16, 19)
	case (f.Bits == 4 || f.Bits == 8) && c.Keys:
		return r, r.key(f)
	case f.Bits >= 4 && c.Raw:
		return r, nil
	}
	return r, fmt.Errorf("%w: %d bits", ErrLength, f.Bits)
}

// card checks the leading even parity over the first evenN bits and the trailing odd
// parity over the last oddN bits (they overlap by one bit in 37-bit frames), then splits
// the payload between them into facility and number.
func (r *Read) card(f Frame, evenN, oddN, facBits, numBits int) error {
	n := f.Bits
	if ones(f.Data>>(n-evenN), evenN)%2 != 0 || ones(f.Data, oddN)%2 != 1 {
		return fmt.Errorf("%w: %v", ErrParity, f)
	}
	payload := f.Data >> 1 & (1<<(facBits+numBits) - 1)
	r.Decoded = true
	r.Facility = int(payload >> numBits)
	r.Number = payload & (1<<numBits - 1)
	return nil
}

func (r *Read) key(f Frame) error {
	v := f.Data & 0xF
	if f.Bits == 8 && f.Data>>4 != ^v&0xF {
		return fmt.Errorf("%w: %v", ErrParity, f)
	}
	r.Kind = Key
	switch {
	case v <= 9:
		r.Key = rune('0' + v)
	case v == 10:
		r.Key = '*'
	case v == 11:
		r.Key = '#'
	default:
		return fmt.Errorf("%w: key code %d", ErrLength, v)
	}
	return nil
}

// ones counts the set bits among the low n bits of x.
func ones(x uint64, n int) int {
	c := 0
	for i := range n {
		c += int(x >> i & 1)
	}
	return c
}

// IsMisread reports whether err is a frame to count as a misread rather than a card.
func IsMisread(err error) bool {
	return errors.Is(err, ErrParity) || errors.Is(err, ErrLost) || errors.Is(err, ErrOverflow) || errors.Is(err, ErrLength)
}
