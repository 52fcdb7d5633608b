//go:build !linux

package media

import (
	"errors"
	"time"
)

// timerFD exists on Linux only; elsewhere a pacer keeps its Go timer.
type timerFD struct{}

func newTimerFD() (*timerFD, error)        { return nil, errors.New("media: no timerfd on this OS") }
func (*timerFD) sleep(time.Duration) error { return nil }
func (*timerFD) close()                    {}
