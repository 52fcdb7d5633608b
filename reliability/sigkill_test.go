//go:build linux

package reliability

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/control"
	"github.com/doorsip/intercom/internal/testpeer"
)

// TestEventLogSIGKILL runs the real binary writing door events as fast as the control
// socket lets it (with a small events_max_size, so rotation is hit too), kills it with
// SIGKILL at a random moment, and checks that every line of both files is valid JSON and
// that no file ends in half a line. 20 rounds; 50 under INTERCOM_SOAK=1.
func TestEventLogSIGKILL(t *testing.T) {
	rounds := 20
	if soak() {
		rounds = 50
	}
	dir := t.TempDir()
	events := filepath.Join(dir, "events.jsonl")
	socket := filepath.Join(dir, "ctl.sock")
	cfg := filepath.Join(dir, "door.toml")
	port := testpeer.FreePort(t)
	if err := os.WriteFile(cfg, []byte(doorTOML(t, port, events, socket, 16<<10, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	total := 0
	for i := 0; i < rounds; i++ {
		p := startBinary(t, cfg, socket)
		p.waitControl(t, 10*time.Second)
		ctx, cancel := context.WithCancel(context.Background())
		sent := make(chan int, 1)
		go func() { // one connection, "open" as fast as the door answers
			n := 0
			defer func() { sent <- n }()
			c, err := control.Dial(ctx, socket)
			if err != nil {
				return
			}
			defer c.Close()
			for ctx.Err() == nil && n < 100000 {
				if _, err := c.Do(control.Request{Op: "open"}); err != nil {
					return
				}
				n++
			}
		}()
		time.Sleep(time.Duration(20+rng.IntN(400)) * time.Millisecond)
		p.kill(syscall.SIGKILL)
		cancel()
		total += <-sent
		checkJSONLines(t, events)
		checkJSONLines(t, events+".1")
	}
	n := len(readEvents(t, events)) + len(readEvents(t, events+".1"))
	t.Logf("%d SIGKILLs at random moments, %d open commands sent, %d lines in the two files now: all valid JSON", rounds, total, n)
}

// checkJSONLines fails on a line that is not JSON or a file that ends in half a line.
func checkJSONLines(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		t.Fatalf("%s ends in half a line: %q", filepath.Base(path), tail(string(b), 200))
	}
	readEvents(t, path)
}
