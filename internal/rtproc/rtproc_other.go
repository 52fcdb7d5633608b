//go:build !linux

package rtproc

// Started reports normal scheduling: nothing to move.
func Started() (Policy, error) { return Policy{}, nil }

// SetAll is not supported off Linux.
func SetAll(p Policy) error { return ErrUnsupported }
