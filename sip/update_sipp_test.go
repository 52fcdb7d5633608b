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
	mp := testpeer.SippMediaPort(t)
	s := testpeer.StartSipp(t, testpeer.SippOptions{Scenario: filepath.Join("testdata", "sipp", "uas_update.xml"),
		Args: []string{"-mp", strconv.Itoa(mp)}})
	u := runUA(t, context.Background(), nil, nil)
	call, err := u.Dial(context.Background(), s.URI("sipp"), offerFor(4000, pcma, pcmu))
	if err != nil {
		t.Fatal(err)
	}
	// sipp sends its next message as soon as it has our answer to the last, so a
	// MediaUpdate and Answered may come in either order: wait on what was negotiated, which
	// holds each UPDATE whatever the order of the events.
	waitEvent(t, u, EarlyMedia)
	waitFor(t, func() bool { return int(call.Negotiated().Remote.Port()) == mp+2 }) // the early UPDATE
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
