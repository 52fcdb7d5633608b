package voice

import "errors"

var (
	// ErrRate is returned for a sample rate the processor does not run at.
	ErrRate = errors.New("voice: unsupported sample rate")
	// ErrFrame is returned for a frame that is not a whole number of blocks.
	ErrFrame = errors.New("voice: frame size is not a multiple of the block size")
)
