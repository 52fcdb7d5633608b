package app

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/config"
	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/testpeer"
)

// TestHTTPAPI: a 2N client's requests, sent with real curl (Digest, self-signed certificate),
// open the door through the controller and the event log records the API user; a bell press
// reaches a log/pull long poll as KeyPressed; ctl status shows the certificate fingerprint.
func TestHTTPAPI(t *testing.T) {
	curl := testpeer.Require(t, "curl")
	port := testpeer.FreePort(t)
	a := startUnit(t, "door", testpeer.FreePort(t), fmt.Sprintf(`[[button]]
name = "bell"
line = 0
action = "answer"
[door]
relay_line = 1
open_for = "500ms"
[http]
listen = "127.0.0.1:%d"
state_dir = %q
[[http.user]]
name = "admin"
password = "admin-secret"
privileges = ["status", "door", "call", "log"]
`, port, t.TempDir()))
	base := fmt.Sprintf("https://127.0.0.1:%d", port)
	get := func(path string) map[string]any {
		t.Helper()
		out, err := exec.Command(curl, "-sk", "--max-time", "15", "--digest", "-u", "admin:admin-secret", base+path).Output()
		if err != nil {
			t.Fatalf("curl %s: %v", path, err)
		}
		var m map[string]any
		if err := json.Unmarshal(out, &m); err != nil || m["success"] != true {
			t.Fatalf("%s: %q %v", path, out, err)
		}
		return m
	}
	if fp := (ctlHandler{a}).HTTPSFingerprint(); len(fp) != 95 {
		t.Errorf("fingerprint %q", fp)
	}
	sub := get("/api/log/subscribe?filter=KeyPressed,SwitchStateChanged")
	id := int64(sub["result"].(map[string]any)["id"].(float64))

	get("/api/switch/ctrl?switch=1&action=trigger")
	if !a.Board().Sim().Output(door.RelayDoor) {
		t.Error("relay not energised after switch/ctrl")
	}
	e, ok := hasEvent(a, "door-open")
	if !ok || e.String("via") != "api" || e.String("by") != "api user admin" {
		t.Errorf("door-open entry %+v", e)
	}
	st := get("/api/switch/status")["result"].(map[string]any)["switches"].([]any)[0].(map[string]any)
	if st["active"] != true {
		t.Errorf("switch status %v", st)
	}

	if err := a.Board().Sim().Tap("bell"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	var names []string
	for time.Now().Before(deadline) && !strings.Contains(strings.Join(names, ","), "KeyPressed") {
		for _, ev := range get(fmt.Sprintf("/api/log/pull?id=%d&timeout=5", id))["result"].(map[string]any)["events"].([]any) {
			names = append(names, ev.(map[string]any)["event"].(string))
		}
	}
	if !strings.Contains(strings.Join(names, ","), "SwitchStateChanged,KeyPressed") {
		t.Errorf("events %v, want SwitchStateChanged then KeyPressed", names)
	}
}

// TestHTTPReloadUsers: a reload replaces the API's users without a restart; a new listen
// address is reported as needing one.
func TestHTTPReloadUsers(t *testing.T) {
	port, sipPort, dir := testpeer.FreePort(t), testpeer.FreePort(t), t.TempDir()
	lo, hi := testpeer.RTPRange(t)
	src := func(user string, apiPort int) string {
		return fmt.Sprintf("[sip]\nlisten = \"127.0.0.1:%d\"\n[media]\nrtp_ports = \"%d-%d\"\n[audio]\ncapture = \"tone:440\"\nplayback = \"null\"\n[gpio]\nchip = \"sim\"\n[control]\nsocket = \"\"\n"+
			"[http]\nlisten = \"127.0.0.1:%d\"\nstate_dir = %q\n[[http.user]]\nname = %q\npassword = \"password-1\"\nprivileges = [\"status\"]\n", sipPort, lo, hi, apiPort, dir, user)
	}
	cfg, err := config.Parse("a.toml", []byte(src("first", port)))
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(cfg, Options{Clock: clock.Real{}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	defer func() { cancel(); <-done }()
	waitUntil(t, 5*time.Second, "API listening", func() bool { return a.api.Load() != nil })
	status := func(user string) int {
		req, _ := http.NewRequest("GET", fmt.Sprintf("https://127.0.0.1:%d/api/system/status", port), nil)
		req.SetBasicAuth(user, "password-1")
		c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := status("first"); got != 200 {
		t.Fatalf("first: %d", got)
	}
	next, err := config.Parse("b.toml", []byte(src("second", port)))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Reload(next); err != nil {
		t.Fatal(err)
	}
	if a, b := status("first"), status("second"); a != 401 || b != 200 {
		t.Errorf("after reload: first %d (want 401), second %d (want 200)", a, b)
	}
	moved, err := config.Parse("c.toml", []byte(src("second", port+1)))
	if err != nil {
		t.Fatal(err)
	}
	if kept := restartNeeded(cfg, moved); len(kept) != 1 || kept[0] != "http listener" {
		t.Errorf("restartNeeded = %v", kept)
	}
}
