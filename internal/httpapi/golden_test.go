package httpapi

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestGolden: the 2N-shaped answers to the documented requests, byte for byte. Run with
// -update after a deliberate change, and read the diff.
func TestGolden(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC))
	s, be := newTestServer(t, clk)
	admin := map[string]string{"Authorization": "Basic " + basic("admin", "admin-secret")}
	viewer := map[string]string{"Authorization": "Basic " + basic("viewer", "viewer-secret")}
	// A subscription with a known id, holding two events.
	id, _ := s.hub.subscribe(nil, false, defaultExpiry)
	s.hub.publish(Event{Time: clk.Now(), Name: "KeyPressed", Params: map[string]any{"key": "bell"}})
	s.hub.publish(Event{Time: clk.Now().Add(time.Second), Name: "CallStateChanged", Params: map[string]any{
		"direction": "outgoing", "state": "ringing", "peer": "sip:101@pbx.lan", "session": 1}})
	tests := []struct {
		name, target string
		hdr          map[string]string
	}{
		{"system_info", "/api/system/info", admin},
		{"system_status", "/api/system/status", admin},
		{"switch_caps", "/api/switch/caps", admin},
		{"switch_status", "/api/switch/status", admin},
		{"switch_ctrl", "/api/switch/ctrl?switch=1&action=trigger", admin},
		{"switch_ctrl_bad_action", "/api/switch/ctrl?switch=1&action=explode", admin},
		{"switch_ctrl_no_privilege", "/api/switch/ctrl?switch=1&action=on", viewer},
		{"io_caps", "/api/io/caps", admin},
		{"io_status", "/api/io/status", admin},
		{"call_status", "/api/call/status", admin},
		{"call_dial", "/api/call/dial?number=sip:102@pbx.lan", admin},
		{"call_dial_bad_number", "/api/call/dial?number=102", admin},
		{"call_answer", "/api/call/answer?session=1", admin},
		{"call_hangup", "/api/call/hangup?session=1&reason=normal", admin},
		{"log_caps", "/api/log/caps", admin},
		{"log_pull", "/api/log/pull?id=" + itoa(id) + "&timeout=0", admin},
		{"log_pull_unknown", "/api/log/pull?id=17", admin},
		{"log_unsubscribe", "/api/log/unsubscribe?id=" + itoa(id), admin},
		{"unauthenticated", "/api/system/info", nil},
	}
	for _, tt := range tests {
		w := serve(s, "GET", tt.target, "192.0.2.1:1000", tt.hdr)
		got := w.Body.Bytes()
		path := filepath.Join("testdata", tt.name+".json")
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: got\n%s\nwant\n%s", tt.name, got, want)
		}
	}
	if n := len(be.commands()); n != 4 {
		t.Errorf("%d commands reached the door, want 4 (trigger, dial, answer, hangup)", n)
	}
}

func itoa(id uint32) string { return strconv.FormatUint(uint64(id), 10) }
