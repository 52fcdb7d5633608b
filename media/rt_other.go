//go:build !linux

package media

import (
	"errors"
	"fmt"
)

func setRealtime(prio int) error {
	return fmt.Errorf("media: SCHED_FIFO %d: %w", prio, errors.ErrUnsupported)
}
