package mqtt

import "errors"

var (
	// ErrBadCommand is a message on a command topic that names no command or carries a
	// payload the command cannot take.
	ErrBadCommand = errors.New("mqtt: bad command")
	// ErrCommandsOff is a command that arrived although [mqtt] commands is false.
	ErrCommandsOff = errors.New("mqtt: commands are off")
	// ErrTimeout is a broker that did not acknowledge in time.
	ErrTimeout = errors.New("mqtt: broker did not answer in time")
)
