package app

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/testpeer"
)

// TestSippHoldTransfer: the control ops hold, unhold and transfer reach a sipp phone as
// re-INVITEs (a=sendonly, a=sendrecv) and a REFER to the reception; the status shows the
// hold, and the transferee's BYE ends the call.
func TestSippHoldTransfer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts sipp")
	}
	testpeer.Require(t, "sipp")
	s := testpeer.StartSipp(t, testpeer.SippOptions{Scenario: filepath.Join("testdata", "sipp", "uas_hold_transfer.xml"),
		Args: []string{"-mp", strconv.Itoa(testpeer.FreePort(t))}})
	a := startUnit(t, "door", testpeer.FreePort(t), "")
	ctx := context.Background()
	do := func(op door.Op, arg string) door.Result {
		t.Helper()
		res, err := a.Controller().Do(ctx, door.Command{Op: op, Arg: arg})
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		return res
	}
	do(door.OpCall, s.URI("resident"))
	waitUntil(t, 5*time.Second, "in call", func() bool { return a.Controller().Status().State == door.InCall })
	if res := do(door.OpHold, ""); !res.Status.Held {
		t.Errorf("status after hold: %+v", res.Status)
	}
	if res := do(door.OpUnhold, ""); res.Status.Held {
		t.Errorf("status after unhold: %+v", res.Status)
	}
	do(door.OpTransfer, "sip:reception@127.0.0.1")
	waitUntil(t, 5*time.Second, "idle after the transferee's BYE", func() bool { return a.Controller().Status().State == door.Idle })
	if err := s.Wait(t, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range a.Controller().Recent() {
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
	testpeer.Require(t, "sipp")
	s := testpeer.StartSipp(t, testpeer.SippOptions{Scenario: filepath.Join("testdata", "sipp", "uas_hold_unanswered.xml"),
		Args: []string{"-mp", strconv.Itoa(testpeer.FreePort(t))}})
	a := startUnit(t, "door", testpeer.FreePort(t), "")
	do := func(op door.Op, arg string) door.Result {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		res, err := a.Controller().Do(ctx, door.Command{Op: op, Arg: arg})
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		return res
	}
	do(door.OpCall, s.URI("resident"))
	waitUntil(t, 5*time.Second, "in call", func() bool { return a.Controller().Status().State == door.InCall })
	if res := do(door.OpHold, ""); !res.Status.Held {
		t.Errorf("status after hold: %+v", res.Status)
	}
	// The phone's MESSAGE shows it has the re-INVITE and is sitting on it.
	waitUntil(t, 5*time.Second, "the phone's MESSAGE", func() bool {
		for _, e := range a.Controller().Recent() {
			if e.Kind == EventMessageReceived {
				return true
			}
		}
		return false
	})
	if res := do(door.OpStatus, ""); !res.Status.Held || res.Status.State != door.InCall {
		t.Errorf("status while the re-INVITE is pending: %+v", res.Status)
	}
	do(door.OpHangup, "")
	waitUntil(t, 5*time.Second, "idle after the hang-up", func() bool { return a.Controller().Status().State == door.Idle })
	if err := s.Wait(t, 10*time.Second); err != nil {
		t.Fatal(err)
	}
}
