package wiegand

import "errors"

var (
	// ErrParity is a frame whose parity bits do not match: a misread, not a card.
	ErrParity = errors.New("wiegand: parity error")
	// ErrLength is a frame of a length no enabled format has.
	ErrLength = errors.New("wiegand: unknown frame length")
	// ErrLost is a frame some of whose edges were lost (the event buffer overflowed).
	ErrLost = errors.New("wiegand: edges lost")
	// ErrOverflow is a frame longer than 64 bits: noise or two frames run together.
	ErrOverflow = errors.New("wiegand: frame too long")
)
