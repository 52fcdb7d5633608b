package app

import "errors"

var (
	errNoMedia = errors.New("app: call has no media session")
	errNotSim  = errors.New("app: not a sim board")
)
