package audio

import (
	"errors"
	"fmt"
	"strconv"
)

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

func checkHz(s string) error {
	hz, err := strconv.Atoi(s)
	if err != nil || hz < 50 || hz > 3900 {
		return fmt.Errorf("tone frequency %q out of range (expected 50 to 3900 Hz)", s)
	}
	return nil
}

// ErrUnknownDevice is returned for a device string no backend understands.
var ErrUnknownDevice = errors.New("audio: unknown device")

var (
	// ErrRecordingRate is returned by the offline processing for recordings whose rates
	// have no 8 or 16 kHz in common.
	ErrRecordingRate = errors.New("audio: recording rate not supported")
	// ErrRecordingSize is returned for a recording too large to load.
	ErrRecordingSize = errors.New("audio: recording too large")
)
