package media

import (
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
)

// OpenWAV, run at every call's set-up with a file microphone, allocates the file once (plus
// small change), not io.ReadAll's doubling and a decoded copy.
func TestOpenWAVAllocatesTheFileOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "loop.wav")
	p, err := CreateWAV(path, Format{8000, 1})
	if err != nil {
		t.Fatal(err)
	}
	const samples = 32000 // 4 s, 64 kB: the bench's microphone file
	if _, err := p.Write(make([]int16, samples)); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	c, err := OpenWAV(path, clock.NewFake(time.Unix(0, 0)))
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(2*samples+8<<10); got > limit {
		t.Errorf("OpenWAV of a %d-byte file allocated %d bytes, want <= %d", 2*samples+44, got, limit)
	}
}
