package eventlog

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
)

func BenchmarkAdd(b *testing.B) {
	tests := []struct {
		name string
		path func(b *testing.B) string
	}{
		{"memory", func(*testing.B) string { return "" }},
		{"file+fsync", func(b *testing.B) string { return filepath.Join(b.TempDir(), "ev") }},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			l := New(Config{Path: tt.path(b), MaxSize: 1 << 20}, Options{Clock: clock.NewFake(t0)})
			defer l.Close()
			b.ReportAllocs()
			for b.Loop() {
				l.Add("door-open", "by", "sip:101@pbx", "via", "dtmf", "for", 3*time.Second)
			}
		})
	}
}
