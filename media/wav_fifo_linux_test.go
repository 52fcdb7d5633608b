package media

import (
	"errors"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
)

// A FIFO or a device named as the capture file is refused at once, not waited on or read
// without end.
func TestOpenWAVRefusesNonRegular(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "in.wav")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for _, path := range []string{fifo, "/dev/zero"} {
		if _, err := OpenWAV(path, clock.NewFake(time.Unix(0, 0))); !errors.Is(err, ErrWAV) {
			t.Errorf("%s: err = %v, want ErrWAV", path, err)
		}
	}
}
