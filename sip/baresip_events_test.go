package sip

import (
	"strings"
	"testing"

	"github.com/doorsip/intercom/internal/testpeer"
)

// TestBaresipPresence: baresip's presence module, with the door as a contact, subscribes to
// it and shows it Online, Busy while a call rings, and Online again after.
func TestBaresipPresence(t *testing.T) {
	u := startUA(t, eventsFor("127.0.0.1"))
	door := "sip:door@" + u.Addr("udp").String()
	b := testpeer.StartBaresip(t, testpeer.BaresipOptions{User: "101", Watch: []string{door}})
	status := func(want string) {
		t.Helper()
		var last string
		waitFor(t, func() bool { last = b.Contacts(t); return strings.Contains(last, want) })
		for _, line := range strings.Split(last, "\n") {
			if strings.Contains(line, want) {
				t.Logf("baresip: %s", strings.TrimSpace(line))
			}
		}
	}
	status("Online")
	u.SetDoorState(DoorState{Activity: DoorRingingIn, CallID: "b1", Incoming: true})
	status("Busy")
	u.SetDoorState(DoorState{Activity: DoorIdle, CallID: "b1"})
	status("Online")
	if n := u.Subscriptions(); n != 1 {
		t.Errorf("%d subscriptions, want baresip's one", n)
	}
}
