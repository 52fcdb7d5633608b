package media

import (
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/doorsip/intercom/internal/cfgerr"
)

// A FIFO named as a prompt is refused without being opened: opening it waits for a writer,
// and prompts load while the config is parsed (start-up, reload).
func TestLoadFeedbackFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "busy.wav"), 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	c := FeedbackDefaults()
	c.Dir, c.Busy = dir, "busy.wav"
	_, err := LoadFeedback(c)
	var fe *cfgerr.Field
	if !errors.As(err, &fe) || fe.Key != "busy" || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("err = %v, want busy: ... not a regular file", err)
	}
}
