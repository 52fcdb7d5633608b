package access

import "errors"

var (
	// ErrSchedule is a schedule window that does not parse.
	ErrSchedule = errors.New("access: bad schedule")
	// ErrCard is a card number that does not parse.
	ErrCard = errors.New("access: bad card")
	// ErrPIN is a PIN that is not 4 to 12 digits.
	ErrPIN = errors.New("access: bad PIN")
	// ErrHash is a stored PIN hash that does not parse or asks for too much work.
	ErrHash = errors.New("access: bad PIN hash")
	// ErrUnknownUser is a name no user has.
	ErrUnknownUser = errors.New("access: unknown user")
)
