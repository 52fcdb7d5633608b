package eventlog

import "errors"

var (
	// ErrClosed is returned by Add after Close.
	ErrClosed = errors.New("eventlog: closed")
	// ErrShortWrite is a write that stored part of a line; the line is cut back off.
	ErrShortWrite = errors.New("eventlog: short write")
)
