package eventlog

import (
	"path/filepath"
	"strings"

	"github.com/doorsip/intercom/internal/cfgerr"
)

// Config is the event part of [log].
type Config struct {
	Path    string // JSON lines; empty = memory only (subscribers and Recent still work)
	MaxSize int64  // bytes before the file is rotated to Path+".1"
	// Security kinds (door opened, lockouts, tamper, alarms) are also written to
	// SecurityPath(Path), which nothing else writes to: a flood of noise rotating the main
	// file cannot evict them. Empty: no security file.
	Security []Kind
}

// SecurityPath is where a log at path keeps its security entries: "events.jsonl" ->
// "events-security.jsonl".
func SecurityPath(path string) string {
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + "-security" + ext
}

// MinSize is the smallest MaxSize accepted: a rotation per few lines would be useless.
const MinSize = 4096

// Validate checks c. Keys are relative to [log].
func (c Config) Validate() error {
	if c.MaxSize < MinSize {
		return cfgerr.New("events_max_size", "%d is too small (expected at least %d bytes)", c.MaxSize, MinSize)
	}
	return nil
}
