package app

import (
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/door"
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
	for _, tc := range []struct {
		scenario string
		pending  bool // the phone sits on the REFER and says so with a MESSAGE
	}{
		{"uas_refer_unanswered.xml", true},
		{"uas_refer_refused.xml", false},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			p := startSippPhone(t, tc.scenario)
			p.call()
			p.do(door.OpTransfer, "sip:reception@127.0.0.1")
			if tc.pending {
				waitUntil(t, 5*time.Second, "the phone's MESSAGE", p.logged(EventMessageReceived))
				if res := p.do(door.OpStatus, ""); res.Status.State != door.InCall {
					t.Errorf("status while the REFER is pending: %+v", res.Status)
				}
				if p.logged(door.EventTransferFailed)() || p.logged(door.EventTransferAccepted)() {
					t.Error("a transfer result logged while the REFER is pending")
				}
			} else {
				waitUntil(t, 5*time.Second, "transfer-failed in the event log", p.logged(door.EventTransferFailed))
				for _, e := range p.door.Controller().Recent() {
					if e.Kind == door.EventTransferFailed && e.String("code") != "603" {
						t.Errorf("transfer-failed %v, want code 603", e.Fields)
					}
				}
				if st := p.door.Controller().Status(); st.State != door.InCall {
					t.Errorf("after the refused transfer: %+v", st)
				}
			}
			p.hangUp()
		})
	}
}
