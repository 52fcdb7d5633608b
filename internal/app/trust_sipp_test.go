package app

import (
	"fmt"
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
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			port := testpeer.FreePort(t)
			a := startUnit(t, "door", port, `[call]
incoming = "auto"
allow_from = ["sip:101@127.0.0.2"]
`)
			s := testpeer.StartSipp(t, testpeer.SippOptions{
				Scenario: filepath.Join("testdata", "sipp", "uac_from.xml"),
				Remote:   "127.0.0.1:" + strconv.Itoa(port),
				Args:     []string{"-i", tt.bind, "-key", "fromhost", "127.0.0.2", "-mp", strconv.Itoa(testpeer.SippMediaPort(t))},
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
					if callKinds[string(e.Kind)] {
						got = append(got, string(e.Kind))
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

// TestAccountCallOnlyFromRegistrar: the door is registered as "door" at Kamailio on
// 127.0.0.1. A call for door through Kamailio rings; the same call sent by sipp on 127.0.0.2
// straight to the door, skipping the registrar, gets 403 and is logged as forged.
func TestAccountCallOnlyFromRegistrar(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Kamailio and sipp")
	}
	testpeer.Require(t, "sipp")
	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{})
	port := testpeer.FreePort(t)
	a := startUnit(t, "door", port, fmt.Sprintf(`[[account]]
registrar = %q
user = "door"
password = "secret"
[call]
incoming = "auto"
`, k.URI()))
	waitUntil(t, 10*time.Second, "door registered", func() bool { return a.Controller().Status().Registered })
	tests := []struct {
		name, remote, want string
	}{
		{"straight to the door", "127.0.0.1:" + strconv.Itoa(port), "incoming-forged"},
		{"through the registrar", k.Addr.String(), "incoming-forged,incoming,answered,call-ended"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testpeer.StartSipp(t, testpeer.SippOptions{
				Scenario: filepath.Join("testdata", "sipp", "uac_from.xml"),
				Remote:   tt.remote,
				Args:     []string{"-i", "127.0.0.2", "-key", "fromhost", "127.0.0.2", "-mp", strconv.Itoa(testpeer.SippMediaPort(t))},
			})
			if err := s.Wait(t, 15*time.Second); err != nil {
				t.Fatal(err)
			}
			callKinds := map[string]bool{"incoming": true, "incoming-forged": true, "answered": true, "call-ended": true}
			var got []string
			waitUntil(t, 10*time.Second, "the call's events: "+tt.want, func() bool {
				got = got[:0]
				for _, e := range a.Controller().Recent() {
					if callKinds[string(e.Kind)] {
						got = append(got, string(e.Kind))
					}
				}
				return strings.Join(got, ",") == tt.want
			})
		})
	}
}
