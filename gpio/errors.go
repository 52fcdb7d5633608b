package gpio

import "errors"

var (
	// ErrUnknownLine is returned for a name that no line of the Board carries (or one of the
	// wrong kind, e.g. SetLED on a relay).
	ErrUnknownLine = errors.New("gpio: unknown line")
	// ErrClosed is returned by calls on a closed Board or released Lines.
	ErrClosed = errors.New("gpio: closed")
	// ErrRunning is returned by a second concurrent Run.
	ErrRunning = errors.New("gpio: already running")
	// ErrNoChip is returned when no gpiochip matches Config.Chip by name, label or path.
	ErrNoChip = errors.New("gpio: no such gpiochip")
	// ErrUnsupported is returned when real GPIO is asked for on an OS without the Linux
	// GPIO character device.
	ErrUnsupported = errors.New("gpio: gpiochips need Linux")
	// ErrBadPattern is returned for an LED pattern name or value gpio does not know.
	ErrBadPattern = errors.New("gpio: unknown LED pattern")
	// ErrBadDuration is returned for a relay pulse that is not positive.
	ErrBadDuration = errors.New("gpio: pulse duration must be positive")
)
