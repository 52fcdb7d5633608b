//go:build linux

package reliability

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/testpeer"
)

// TestReloadDuringCall: the binary is in a call when its config file is replaced by a broken
// one and SIGHUP arrives (the running config is kept), then by one that changes most keys
// and SIGHUP again (applied; what needs a restart is reported). The call survives both, and
// the new door code, sent in the same call after the reload, opens the door.
func TestReloadDuringCall(t *testing.T) {
	testpeer.Require(t, "sipp")
	dir := t.TempDir()
	events := filepath.Join(dir, "events.jsonl")
	socket := filepath.Join(dir, "ctl.sock")
	cfg := filepath.Join(dir, "door.toml")
	port := testpeer.FreePort(t)
	orig := doorTOML(t, port, events, socket, 0, "")
	if err := os.WriteFile(cfg, []byte(orig), 0o644); err != nil {
		t.Fatal(err)
	}
	p := startBinary(t, cfg, socket)
	p.waitControl(t, 10*time.Second)
	addr := "127.0.0.1:" + strconv.Itoa(port)

	done := make(chan error, 1)
	go func() { done <- callDoor(t, addr, uacCall{Caller: allowed, Wait: 3000, Digits: "#9", Hold: 1000}, 1) }()
	waitUntil(t, 5*time.Second, "in call", func() bool {
		r, err := p.ctl(door.Command{Op: "status"})
		return err == nil && r.Status != nil && r.Status.State == door.InCall
	})

	// 1. A broken file: the running config stays.
	if err := os.WriteFile(cfg, []byte(orig+"\n[door\nopen_for = 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Process.Signal(syscall.SIGHUP)
	waitUntil(t, 3*time.Second, "broken reload reported", func() bool {
		return strings.Contains(p.logs.String(), "reload: keeping the running config")
	})

	// 2. Most keys changed.
	changed := strings.NewReplacer(
		`dtmf_code = "#1"`, `dtmf_code = "#9"`,
		`open_for = "1s"`, `open_for = "2s"`,
		`max_attempts = 3`, `max_attempts = 4`,
		`max_duration = "2m"`, "max_duration = \"3m\"\nwarn_before = \"5s\"",
		`rtp_timeout = "10s"`, "rtp_timeout = \"20s\"\njitter = \"60ms\"\njitter_max = \"300ms\"\ncodecs = [\"PCMU\", \"PCMA\"]",
		`capture = "tone:440"`, `capture = "tone:880"`,
		`level = "info"`, `level = "debug"`,
		`events_max_size = 1048576`, `events_max_size = 2000000`,
		"[sip]\n", "[sip]\nuser_agent = \"door-reloaded\"\nkeepalive = \"20s\"\n",
	).Replace(orig)
	if changed == orig {
		t.Fatal("replacements did not apply")
	}
	if err := os.WriteFile(cfg, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Process.Signal(syscall.SIGHUP)
	waitUntil(t, 3*time.Second, "reload applied", func() bool {
		return strings.Contains(p.logs.String(), "reload: config applied")
	})
	if r, err := p.ctl(door.Command{Op: "status"}); err != nil || r.Status == nil || r.Status.State != door.InCall {
		t.Fatalf("call lost after the reloads: %+v %v", r.Status, err)
	}
	if err := <-done; err != nil {
		t.Fatalf("call did not survive the reloads: %v", err)
	}
	waitUntil(t, 3*time.Second, "door opened by the new code", func() bool {
		return countKinds(readEvents(t, events))["door-open"] == 1
	})
	logs := p.logs.String()
	t.Logf("reload: broken file kept the running config; changed file applied in call; restart needed for: %v",
		strings.Contains(logs, "take effect after a restart"))
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, "reload") {
			t.Log(tail(l, 300))
		}
	}
}
