package eventlog

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
)

// BenchmarkAdd: "memory" and "file, caller" are what the controller's loop pays per entry;
// "file, written" waits for the write and fsync as well.
func BenchmarkAdd(b *testing.B) {
	tests := []struct {
		name  string
		file  bool
		flush bool
	}{
		{"memory", false, false},
		{"file, caller", true, false},
		{"file, written", true, true},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			cfg := Config{MaxSize: 1 << 30}
			if tt.file {
				cfg.Path = filepath.Join(b.TempDir(), "ev")
			}
			l := New(cfg, Options{Clock: clock.NewFake(t0)})
			defer l.Close()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				l.Add("door-open", "by", "sip:101@pbx", "via", "dtmf", "for", 3*time.Second)
				i++
				switch {
				case tt.flush:
					l.Flush()
				case i%(queueLen/2) == 0:
					// Drain off the clock so the queue never overflows.
					b.StopTimer()
					l.Flush()
					b.StartTimer()
				}
			}
		})
	}
}
