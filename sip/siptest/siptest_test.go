package siptest

import (
	"context"
	"testing"

	"github.com/doorsip/intercom/sip"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestPeer(t *testing.T) {
	for _, tc := range []struct {
		name   string
		policy Policy
		want   sip.EventKind
		code   int
	}{
		{"answers", Policy{Ring: true}, sip.Answered, 200},
		{"rejects", Policy{RejectCode: 486}, sip.Ended, 486},
	} {
		t.Run(tc.name, func(t *testing.T) {
			peer := StartPeer(t, tc.policy)
			door := StartUA(t, nil, nil)
			call, err := door.Dial(context.Background(), peer.URI(), Offer(4000))
			if err != nil {
				t.Fatal(err)
			}
			ev := WaitEvent(t, door, tc.want)
			if ev.Code != tc.code {
				t.Errorf("code %d, want %d", ev.Code, tc.code)
			}
			call.Hangup()
			if tc.want == sip.Answered {
				peer.Wait(t, sip.Ended)
			}
		})
	}
}
