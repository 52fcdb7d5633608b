package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/doorsip/intercom/config"
)

// configExit prints a config load error and returns the exit status for it: 2 for a file
// that is wrong (its FILE:LINE messages say what to fix), 1 for one that cannot be read.
func configExit(stderr io.Writer, err error) int {
	fmt.Fprintln(stderr, err)
	if errors.Is(err, config.ErrInvalid) {
		return 2
	}
	return 1
}
