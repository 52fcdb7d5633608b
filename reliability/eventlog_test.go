//go:build linux

package reliability

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/testpeer"
)

// fillDisk pads the event log with valid lines until the filesystem is full, after leaving a
// filler file of spare bytes that removeFiller gives back later.
func fillDisk(t *testing.T, dir, events string, spare int) (filler string) {
	t.Helper()
	filler = filepath.Join(dir, "filler")
	if err := os.WriteFile(filler, make([]byte, spare), 0o644); err != nil {
		t.Fatalf("filler: %v", err)
	}
	f, err := os.OpenFile(events, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i := 0; i < 100000; i++ {
		line := fmt.Sprintf(`{"time":"2026-01-01T00:00:00Z","kind":"padding","n":%d}`+"\n", i)
		st, _ := f.Stat()
		n, err := f.WriteString(line)
		if err != nil || n < len(line) {
			if !errors.Is(err, syscall.ENOSPC) && err != nil {
				t.Fatalf("padding: %v", err)
			}
			_ = f.Truncate(st.Size()) // no half line
			return filler
		}
	}
	t.Fatal("tmpfs never filled")
	return ""
}

// TestEventLogFullDisk: the event log lives on a 64 KiB tmpfs that is full. Calls and door
// opening keep working, the write error is logged once, and once space returns the log
// resumes with every line valid JSON.
func TestEventLogFullDisk(t *testing.T) {
	testpeer.Require(t, "sipp")
	dir := mountTmpfs(t, "64k")
	events := filepath.Join(dir, "events.jsonl")
	filler := fillDisk(t, dir, events, 16<<10)
	padded := len(readEvents(t, events))
	r := startRig(t, rigOptions{events: events})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	w := watchRelay(r)
	if _, err := r.a.Controller().Do(ctx, door.Command{Op: "open"}); err != nil {
		t.Fatalf("open on a full disk: %v", err)
	}
	if err := callDoor(t, r.sip, uacCall{Caller: allowed, Digits: "#1", Hold: 300}, 1); err != nil {
		t.Fatalf("call on a full disk: %v", err)
	}
	if err := callDoor(t, r.sip, uacCall{Caller: allowed, Hold: 200}, 2); err != nil {
		t.Fatalf("calls on a full disk: %v", err)
	}
	time.Sleep(1200 * time.Millisecond) // let the pulse end
	on, _ := w.Stop()
	lost := strings.Count(r.logs.String(), "eventlog: entry lost")
	t.Logf("full disk: relay on in %d samples, %q logged %d times, log lines %d (padding %d)",
		on, "eventlog: entry lost", lost, len(readEvents(t, events)), padded)
	if on == 0 {
		t.Error("relay never pulsed while the disk was full")
	}
	if lost != 1 {
		t.Errorf("write error logged %d times, want once", lost)
	}
	if got := len(readEvents(t, events)); got != padded {
		t.Errorf("log grew from %d to %d lines on a full disk?", padded, got)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if _, err := r.a.Controller().Do(ctx, door.Command{Op: "open"}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 5*time.Second, "door-open written after space returned", func() bool {
		return countKinds(readEvents(t, events))["door-open"] > 0
	})
	if !strings.Contains(r.logs.String(), "eventlog: writing again") {
		t.Error("no 'writing again' report")
	}
	t.Logf("space back: events after padding %v", countKinds(readEvents(t, events)[padded:]))
}
