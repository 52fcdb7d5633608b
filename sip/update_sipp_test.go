package sip

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/testpeer"
)

// TestSippUpdate: sipp as the called PBX sends UPDATE (RFC 3311) in the early dialog with a
// new media port, after the answer with a=sendonly, and without SDP. The first two are
// answered with SDP and reported as MediaUpdate (the port, then recvonly); the refresh gets
// a 200 without SDP (sipp checks each 200's body).
func TestSippUpdate(t *testing.T) {
	testpeer.Require(t, "sipp")
	mp := testpeer.FreePort(t)
	s := testpeer.StartSipp(t, testpeer.SippOptions{Scenario: filepath.Join("testdata", "sipp", "uas_update.xml"),
		Args: []string{"-mp", strconv.Itoa(mp)}})
	u := runUA(t, context.Background(), nil, nil)
	call, err := u.Dial(context.Background(), s.URI("sipp"), offerFor(4000, pcma, pcmu))
	if err != nil {
		t.Fatal(err)
	}
	waitEvent(t, u, EarlyMedia)
	waitEvent(t, u, MediaUpdate)
	if p := call.Negotiated().Remote.Port(); int(p) != mp+2 {
		t.Errorf("early UPDATE: remote port %d, want %d", p, mp+2)
	}
	// sipp's UPDATE follows our ACK at once: its MediaUpdate may come before Answered, so
	// wait on the negotiated direction, which holds the UPDATE either way.
	waitEvent(t, u, Answered)
	waitFor(t, func() bool { return call.Negotiated().Direction == "recvonly" })
	// The refresh changes nothing the app must follow: no event; sipp's check of the 200 is
	// what shows it was answered right. Then sipp hangs up.
	if ev := waitEvent(t, u, Ended); ev.Call != call {
		t.Errorf("ended another call")
	}
	if err := s.Wait(t, 10*time.Second); err != nil {
		t.Error(err)
	}
}
