package eventlog

import "errors"

var (
	// ErrClosed is returned by Add after Close.
	ErrClosed = errors.New("eventlog: closed")
	// ErrBehind is an entry lost because the disk is too slow to keep up.
	ErrBehind = errors.New("eventlog: disk too slow, entry lost")
	// ErrShortWrite is a write that stored part of a line; the line is cut back off.
	ErrShortWrite = errors.New("eventlog: short write")
)
