package sip

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/testpeer"
)

// TestSippUAS runs our UA as caller against sipp scenarios under testdata/sipp.
func TestSippUAS(t *testing.T) {
	for _, tc := range []struct {
		scenario string
		fake     bool
		run      func(t *testing.T, u *UA, clk *clock.Fake, call *Call)
	}{
		{"uas_486.xml", false, func(t *testing.T, u *UA, _ *clock.Fake, _ *Call) {
			if ev := waitEvent(t, u, Ended); ev.Code != 486 {
				t.Errorf("ended %d %q, want 486", ev.Code, ev.Reason)
			}
		}},
		{"uas_302.xml", false, func(t *testing.T, u *UA, _ *clock.Fake, call *Call) {
			waitEvent(t, u, Answered)
			call.Hangup()
			waitEvent(t, u, Ended)
		}},
		{"uas_183.xml", false, func(t *testing.T, u *UA, _ *clock.Fake, call *Call) {
			waitEvent(t, u, EarlyMedia)
			if n := call.Negotiated(); n.Codec.Name != "PCMA" || !n.Remote.IsValid() {
				t.Errorf("early media negotiated %+v", n)
			}
			waitEvent(t, u, Answered)
			call.Hangup()
			waitEvent(t, u, Ended)
		}},
		{"uas_cancel_race.xml", false, func(t *testing.T, u *UA, _ *clock.Fake, call *Call) {
			waitEvent(t, u, Ringing)
			call.Hangup()
			waitEvent(t, u, Ended)
		}},
		{"uas_reinvite_info.xml", false, func(t *testing.T, u *UA, _ *clock.Fake, call *Call) {
			waitEvent(t, u, Answered)
			waitEvent(t, u, MediaUpdate)
			if d := call.Negotiated().Direction; d != "recvonly" {
				t.Errorf("direction on hold %q, want recvonly", d)
			}
			if d := waitEvent(t, u, DTMF).Digit; d != '5' {
				t.Errorf("digit %q", d)
			}
			call.Hangup()
			waitEvent(t, u, Ended)
		}},
		{"uas_session_timer.xml", true, func(t *testing.T, u *UA, clk *clock.Fake, call *Call) {
			waitEvent(t, u, Answered)
			waitTimers(t, clk, 1)
			// RFC 4028 section 10: BYE when the session expires, minus min(32 s, SE/3).
			clk.Advance(60 * time.Second)
			if ev := waitEvent(t, u, Ended); ev.Reason != "session expired" {
				t.Errorf("ended %d %q", ev.Code, ev.Reason)
			}
		}},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			s := testpeer.StartSipp(t, testpeer.SippOptions{Scenario: filepath.Join("testdata", "sipp", tc.scenario)})
			var clk *clock.Fake
			var c clock.Clock
			if tc.fake {
				clk = clock.NewFake(time.Unix(1_700_000_000, 0))
				c = clk
			}
			u := runUA(t, context.Background(), nil, c)
			call, err := u.Dial(context.Background(), s.URI("sipp"), offerFor(4000, pcma, pcmu))
			if err != nil {
				t.Fatal(err)
			}
			tc.run(t, u, clk, call)
			if err := s.Wait(t, 10*time.Second); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestSippUAC: sipp calls us and cancels after our 180.
func TestSippUAC(t *testing.T) {
	u := runUA(t, context.Background(), nil, nil)
	s := testpeer.StartSipp(t, testpeer.SippOptions{
		Scenario: filepath.Join("testdata", "sipp", "uac_cancel.xml"),
		Remote:   u.Addr("udp").String(),
	})
	in := waitEvent(t, u, IncomingCall).Call
	in.Ring()
	if ev := waitEvent(t, u, Ended); ev.Code != 487 {
		t.Errorf("ended %d %q, want 487", ev.Code, ev.Reason)
	}
	if err := s.Wait(t, 10*time.Second); err != nil {
		t.Error(err)
	}
}

// TestSippLateOffer: an INVITE without SDP gets our offer in the 200; the answer in the ACK
// sets the media (RFC 3261 section 13.2.1).
func TestSippLateOffer(t *testing.T) {
	u := runUA(t, context.Background(), nil, nil)
	s := testpeer.StartSipp(t, testpeer.SippOptions{
		Scenario: filepath.Join("testdata", "sipp", "uac_late_offer.xml"),
		Remote:   u.Addr("udp").String(),
	})
	in := waitEvent(t, u, IncomingCall).Call
	if err := in.Answer(offerFor(5000, pcma, pcmu)); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, u, Answered)
	if n := in.Negotiated(); n.Codec.Name != "PCMU" || !n.Remote.IsValid() || n.DTMFPayloadType != 101 {
		t.Errorf("negotiated from the ACK: %+v", n)
	}
	if ev := waitEvent(t, u, Ended); ev.Reason != "remote hangup" {
		t.Errorf("ended %q", ev.Reason)
	}
	if err := s.Wait(t, 10*time.Second); err != nil {
		t.Error(err)
	}
}

// TestSippNoAck: the caller never ACKs; our 200 is retransmitted on the fake clock's T1
// schedule and the call ends with BYE after 64*T1.
func TestSippNoAck(t *testing.T) {
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	u := runUA(t, context.Background(), nil, clk)
	s := testpeer.StartSipp(t, testpeer.SippOptions{
		Scenario: filepath.Join("testdata", "sipp", "uac_no_ack.xml"),
		Remote:   u.Addr("udp").String(),
	})
	in := waitEvent(t, u, IncomingCall).Call
	if err := in.Answer(offerFor(5000, pcma)); err != nil {
		t.Fatal(err)
	}
	waitTimers(t, clk, 2) // retransmit and give-up timers
	clk.Advance(500 * time.Millisecond)
	waitTimers(t, clk, 2) // re-armed after the retransmission
	clk.Advance(32 * time.Second)
	if ev := waitEvent(t, u, Ended); ev.Reason != "no ACK" {
		t.Errorf("ended %q", ev.Reason)
	}
	if err := s.Wait(t, 10*time.Second); err != nil {
		t.Error(err)
	}
}

// TestSippReInviteNoAck: sipp re-INVITEs us and withholds the ACK. Our 200 is retransmitted
// on the fake clock's T1 schedule; the re-INVITE sent again as a new transaction (same CSeq)
// gets the same 200, not a new answer; the ACK stops the retransmissions, so that nothing
// follows it, not even the BYE of the 64*T1 give-up.
func TestSippReInviteNoAck(t *testing.T) {
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	// No session timer: the only timers on the clock are the retransmission's two.
	u := runUA(t, context.Background(), func(c *Config) { c.SessionExpires = 0 }, clk)
	trace := filepath.Join(t.TempDir(), "messages.log")
	s := testpeer.StartSipp(t, testpeer.SippOptions{
		Scenario: filepath.Join("testdata", "sipp", "uas_reinvite_no_ack.xml"),
		Args:     []string{"-trace_msg", "-message_file", trace},
	})
	call, err := u.Dial(context.Background(), s.URI("sipp"), offerFor(4000, pcma, pcmu))
	if err != nil {
		t.Fatal(err)
	}
	waitEvent(t, u, Answered)
	waitEvent(t, u, MediaUpdate) // the re-INVITE is answered
	waitTimers(t, clk, 2)        // retransmit and give-up timers
	for _, d := range []time.Duration{500 * time.Millisecond, time.Second} {
		clk.Advance(d)
		waitTimers(t, clk, 2) // re-armed: the retransmission is written
	}
	// The INFO tells sipp to send the re-INVITE again, then the ACK.
	if err := call.SendDTMF('1'); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return clk.Timers() == 0 })
	clk.Advance(64 * 500 * time.Millisecond)
	// sipp fails on any 200 or BYE that arrives before this INFO.
	if err := call.SendDTMF('2'); err != nil {
		t.Fatal(err)
	}
	call.Hangup()
	for ev := range u.Events() {
		if ev.Kind == MediaUpdate {
			t.Error("the repeated re-INVITE was taken for a new offer")
		}
		if ev.Kind == Ended {
			if ev.Reason != "local hangup" {
				t.Errorf("ended %q", ev.Reason)
			}
			break
		}
	}
	if err := s.Wait(t, 10*time.Second); err != nil {
		t.Fatal(err)
	}

	// sipp's trace holds every copy it received, the absorbed retransmissions included.
	data, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	acked := false
	for _, m := range strings.Split(string(data), "-----------------------------------------------") {
		switch {
		case strings.Contains(m, "message sent") && strings.Contains(m, "\nACK ") && strings.Contains(m, "CSeq: 10 ACK"):
			acked = true
		case strings.Contains(m, "message received") && strings.Contains(m, "SIP/2.0 200") && strings.Contains(m, "CSeq: 10 INVITE"):
			if acked {
				t.Errorf("200 received after the ACK:\n%s", m)
			}
			_, body, _ := strings.Cut(m, "\r\n\r\n")
			bodies = append(bodies, body)
		}
	}
	// The first 200, two retransmissions (T1, 2*T1), the answer to the repeated re-INVITE.
	if len(bodies) != 4 {
		t.Fatalf("sipp received %d 200s to the re-INVITE, want 4", len(bodies))
	}
	for _, b := range bodies[1:] {
		if b != bodies[0] {
			t.Errorf("200s differ:\n%s\n----\n%s", bodies[0], b)
		}
	}
}
