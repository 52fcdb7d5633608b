package sip

import (
	"slices"
	"testing"
)

// TestNotifyKeepsEarly: a call answered while the subscriber had not yet answered the
// previous NOTIFY still shows early before confirmed (each dialog state the door passed
// through, in order), not just the newest state.
func TestNotifyKeepsEarly(t *testing.T) {
	u := startUA(t, eventsFor("127.0.0.1"))
	s := newSub(t, u, "101")
	if res := s.Subscribe("dialog", "Expires: 600"); res.StatusCode != 200 {
		t.Fatalf("SUBSCRIBE: %s", res.StartLine())
	}
	s.Notify() // idle
	s.SetNotifyCode(0)
	u.SetDoorState(DoorState{Activity: DoorDialing, CallID: "c1"})
	if _, st := dialogStateOf(t, s.Notify()); st != "trying" {
		t.Fatalf("dialing: %q", st)
	}
	// That NOTIFY's transaction waits for an answer while the phone rings and answers.
	u.SetDoorState(DoorState{Activity: DoorRingingOut, CallID: "c1"})
	u.SetDoorState(DoorState{Activity: DoorInCall, CallID: "c1"})
	u.SetDoorState(DoorState{Activity: DoorInCall, CallID: "c1", DoorOpen: true})
	s.SetNotifyCode(200) // the retransmission of the NOTIFY gets its 200
	got := []string{"trying"}
	for got[len(got)-1] != "confirmed" {
		if _, st := dialogStateOf(t, s.Notify()); st != got[len(got)-1] {
			got = append(got, st)
		}
	}
	if want := []string{"trying", "early", "confirmed"}; !slices.Equal(got, want) {
		t.Errorf("dialog states notified %v, want %v", got, want)
	}
}
