package app

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/testpeer"
)

// TestSippPinnedFrom: call.allow_from names sip:101@127.0.0.2, which pins the caller to that
// address. sipp calling from 127.0.0.2 gets through; the same From written by sipp on
// 127.0.0.1 is refused with 403 before the controller sees it, and logged as forged.
func TestSippPinnedFrom(t *testing.T) {
	if testing.Short() {
		t.Skip("starts sipp")
	}
	testpeer.Require(t, "sipp")
	tests := []struct {
		name, bind string
		want       string // the event kinds the call leaves
	}{
		{"forged From from another address", "127.0.0.1", "incoming-forged"},
		{"From from its pinned address", "127.0.0.2", "incoming,answered,call-ended"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			port := testpeer.FreePort(t)
			a := startUnit(t, "door", port, 24700+i*30, `[call]
incoming = "auto"
allow_from = ["sip:101@127.0.0.2"]
`)
			s := testpeer.StartSipp(t, testpeer.SippOptions{
				Scenario: filepath.Join("testdata", "sipp", "uac_from.xml"),
				Remote:   "127.0.0.1:" + strconv.Itoa(port),
				Args:     []string{"-i", tt.bind, "-key", "fromhost", "127.0.0.2", "-mp", strconv.Itoa(testpeer.FreePort(t))},
			})
			if err := s.Wait(t, 15*time.Second); err != nil {
				t.Fatal(err)
			}
			// The call's entries (startup and registration entries may come and go around it).
			callKinds := map[string]bool{"incoming": true, "incoming-forged": true, "incoming-rejected": true, "answered": true, "call-ended": true}
			var got []string
			waitUntil(t, 10*time.Second, "the call's events: "+tt.want, func() bool {
				got = got[:0]
				for _, e := range a.Controller().Recent() {
					if callKinds[e.Kind] {
						got = append(got, e.Kind)
					}
					if e.Kind == "incoming-forged" && (e.String("source") != "127.0.0.1" || !strings.Contains(e.String("reason"), "pinned host 127.0.0.2")) {
						t.Errorf("forged entry %+v", e)
					}
				}
				return strings.Join(got, ",") == tt.want
			})
			waitUntil(t, 5*time.Second, "idle", func() bool { return a.Controller().Status().State == door.Idle })
		})
	}
}
