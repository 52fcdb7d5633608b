package control

import "errors"

var (
	// ErrTooLarge is a request line longer than MaxRequest.
	ErrTooLarge = errors.New("control: request too large")
	// ErrBadRequest is a line that is not one valid request object.
	ErrBadRequest = errors.New("control: bad request")
	// ErrInUse is a socket path another process is listening on.
	ErrInUse = errors.New("control: socket in use")
	// ErrNotSocket is a socket path that exists and is not a socket; it is left alone.
	ErrNotSocket = errors.New("control: path exists and is not a socket")
	// ErrClosed is Run after Close.
	ErrClosed = errors.New("control: server closed")
	// ErrUnsupported is an op the handler cannot serve (lines on real hardware).
	ErrUnsupported = errors.New("control: not supported here")
	// ErrServer is an {"ok":false} response; the client wraps the server's message in it.
	ErrServer = errors.New("control: server error")
)
