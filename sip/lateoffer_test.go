package sip

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/testpeer"
)

// TestSippLateOfferNoAnswer: a late-offer caller whose ACK has no SDP gets BYE, and the
// controller sees Ended, never Answered with no media.
func TestSippLateOfferNoAnswer(t *testing.T) {
	u := runUA(t, context.Background(), nil, nil)
	s := testpeer.StartSipp(t, testpeer.SippOptions{
		Scenario: filepath.Join("testdata", "sipp", "uac_late_offer_no_answer.xml"),
		Remote:   u.Addr("udp").String(),
	})
	in := waitEvent(t, u, IncomingCall).Call
	if err := in.Answer(offerFor(5000, pcma, pcmu)); err != nil {
		t.Fatal(err)
	}
	if !in.AwaitingAnswer() {
		t.Error("AwaitingAnswer false after answering an offer-less INVITE")
	}
	var ev Event
	for ev = range u.Events() {
		if ev.Kind == Answered {
			t.Fatal("Answered for a call without a session")
		}
		if ev.Kind == Ended {
			break
		}
	}
	if ev.Reason != "no answer in ACK" {
		t.Errorf("ended %q", ev.Reason)
	}
	if err := s.Wait(t, 10*time.Second); err != nil {
		t.Error(err)
	}
}
