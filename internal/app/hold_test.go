package app

import (
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/door"
)

// TestSippHoldTransfer: the control ops hold, unhold and transfer reach a sipp phone as
// re-INVITEs (a=sendonly, a=sendrecv) and a REFER to the reception; the status shows the
// hold, and the transferee's BYE ends the call.
func TestSippHoldTransfer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts sipp")
	}
	p := startSippPhone(t, "uas_hold_transfer.xml")
	p.call()
	if res := p.do(door.OpHold, ""); !res.Status.Held {
		t.Errorf("status after hold: %+v", res.Status)
	}
	if res := p.do(door.OpUnhold, ""); res.Status.Held {
		t.Errorf("status after unhold: %+v", res.Status)
	}
	p.do(door.OpTransfer, "sip:reception@127.0.0.1")
	p.finish("idle after the transferee's BYE")
	var kinds []string
	for _, e := range p.door.Controller().Recent() {
		switch e.Kind {
		case door.EventHold, door.EventUnhold, door.EventTransferSent, door.EventCallEnded:
			kinds = append(kinds, string(e.Kind))
		}
	}
	if len(kinds) != 4 {
		t.Errorf("events %v", kinds)
	}
}

// TestSippHoldUnanswered: a phone that never answers the hold re-INVITE does not hold up
// the controller: the hold op returns (well within the 10 s bound, where a wait for the
// re-INVITE would take Timer B, 32 s), the status shows the hold, and the hang-up that
// follows is sent and answered while the re-INVITE is still pending.
func TestSippHoldUnanswered(t *testing.T) {
	if testing.Short() {
		t.Skip("starts sipp")
	}
	p := startSippPhone(t, "uas_hold_unanswered.xml")
	p.call()
	if res := p.do(door.OpHold, ""); !res.Status.Held {
		t.Errorf("status after hold: %+v", res.Status)
	}
	// The phone's MESSAGE shows it has the re-INVITE and is sitting on it.
	waitUntil(t, 5*time.Second, "the phone's MESSAGE", p.logged(EventMessageReceived))
	if res := p.do(door.OpStatus, ""); !res.Status.Held || res.Status.State != door.InCall {
		t.Errorf("status while the re-INVITE is pending: %+v", res.Status)
	}
	p.hangUp()
}
