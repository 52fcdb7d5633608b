package app

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/testpeer"
)

// TestHTTPAPI: a 2N client's requests, sent with real curl (Digest, self-signed certificate),
// open the door through the controller and the event log records the API user; a bell press
// reaches a log/pull long poll as KeyPressed; ctl status shows the certificate fingerprint.
func TestHTTPAPI(t *testing.T) {
	curl := testpeer.Require(t, "curl")
	port := testpeer.FreePort(t)
	a := startUnit(t, "door", testpeer.FreePort(t), 25840, fmt.Sprintf(`[[button]]
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
