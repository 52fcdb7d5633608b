package rtproc

import "errors"

// ErrUnsupported is returned where threads cannot be rescheduled (not Linux).
var ErrUnsupported = errors.New("rtproc: not supported on this system")
