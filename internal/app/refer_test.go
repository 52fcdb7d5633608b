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

// TestSippTransferNoWait: the transfer op never waits for the REFER's answer. A phone that
// never answers it leaves the controller free: the op returns while the REFER is pending
// (a wait would be Timer F, 32 s, past the op's 10 s bound), status and hang-up are
// answered at once. A phone that refuses it (603) gets its answer to the event log as
// transfer-failed, and the call goes on.
func TestSippTransferNoWait(t *testing.T) {
	if testing.Short() {
		t.Skip("starts sipp")
	}
	testpeer.Require(t, "sipp")
	for _, tc := range []struct {
		scenario string
		pending  bool // the phone sits on the REFER and says so with a MESSAGE
	}{
		{"uas_refer_unanswered.xml", true},
		{"uas_refer_refused.xml", false},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			s := testpeer.StartSipp(t, testpeer.SippOptions{Scenario: filepath.Join("testdata", "sipp", tc.scenario),
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
			logged := func(kind string) func() bool {
				return func() bool {
					for _, e := range a.Controller().Recent() {
						if string(e.Kind) == kind {
							return true
						}
					}
					return false
				}
			}
			do(door.OpCall, s.URI("resident"))
			waitUntil(t, 5*time.Second, "in call", func() bool { return a.Controller().Status().State == door.InCall })
			do(door.OpTransfer, "sip:reception@127.0.0.1")
			if tc.pending {
				waitUntil(t, 5*time.Second, "the phone's MESSAGE", logged(string(EventMessageReceived)))
				if res := do(door.OpStatus, ""); res.Status.State != door.InCall {
					t.Errorf("status while the REFER is pending: %+v", res.Status)
				}
				if logged(string(door.EventTransferFailed))() || logged(string(door.EventTransferAccepted))() {
					t.Error("a transfer result logged while the REFER is pending")
				}
			} else {
				waitUntil(t, 5*time.Second, "transfer-failed in the event log", logged(string(door.EventTransferFailed)))
				for _, e := range a.Controller().Recent() {
					if e.Kind == door.EventTransferFailed && e.String("code") != "603" {
						t.Errorf("transfer-failed %v, want code 603", e.Fields)
					}
				}
				if st := a.Controller().Status(); st.State != door.InCall {
					t.Errorf("after the refused transfer: %+v", st)
				}
			}
			do(door.OpHangup, "")
			waitUntil(t, 5*time.Second, "idle after the hang-up", func() bool { return a.Controller().Status().State == door.Idle })
			if err := s.Wait(t, 10*time.Second); err != nil {
				t.Fatal(err)
			}
		})
	}
}
