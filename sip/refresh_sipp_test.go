package sip

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/testpeer"
)

// TestSippRefresh: we call sipp, which answers with Session-Expires: 90;refresher=uac, so
// the door refreshes every 45 s (fake clock). sipp checks each refresh: an UPDATE without
// SDP when its Allow lists UPDATE (491 then retried after the RFC 3261 14.1 wait, 200, then
// 408 ends the call with BYE), a re-INVITE with our unchanged offer when it does not.
func TestSippRefresh(t *testing.T) {
	testpeer.Require(t, "sipp")
	// refreshed waits for the refresh's 2xx: the session timer re-armed for the next one.
	refreshed := func(t *testing.T, clk *clock.Fake) {
		waitFor(t, func() bool { d, ok := clk.NextDue(); return ok && d == 45*time.Second })
	}
	for _, tc := range []struct {
		scenario string
		run      func(t *testing.T, u *UA, clk *clock.Fake, call *Call)
	}{
		{"uas_refresh_update.xml", func(t *testing.T, u *UA, clk *clock.Fake, call *Call) {
			waitTimers(t, clk, 1)
			clk.Advance(45 * time.Second) // UPDATE -> 491: a glare timer of 2.1-4 s
			waitTimers(t, clk, 1)
			clk.Advance(4 * time.Second) // the retry -> 200
			refreshed(t, clk)
			clk.Advance(45 * time.Second) // UPDATE -> 408: BYE
			if ev := waitEvent(t, u, Ended); ev.Reason != "session refresh failed" {
				t.Errorf("ended %d %q, want session refresh failed", ev.Code, ev.Reason)
			}
		}},
		{"uas_refresh_reinvite.xml", func(t *testing.T, u *UA, clk *clock.Fake, call *Call) {
			waitTimers(t, clk, 1)
			clk.Advance(45 * time.Second) // sipp checks the re-INVITE, answers, then hangs up
			if ev := waitEvent(t, u, Ended); ev.Call != call {
				t.Errorf("ended another call")
			}
		}},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			s := testpeer.StartSipp(t, testpeer.SippOptions{Scenario: filepath.Join("testdata", "sipp", tc.scenario)})
			clk := clock.NewFake(time.Unix(1_700_000_000, 0))
			u := runUA(t, context.Background(), func(c *Config) { c.SessionExpires, c.MinSE = 90*time.Second, 90*time.Second }, clk)
			call, err := u.Dial(context.Background(), s.URI("sipp"), offerFor(4000, pcma, pcmu))
			if err != nil {
				t.Fatal(err)
			}
			waitEvent(t, u, Answered)
			tc.run(t, u, clk, call)
			if err := s.Wait(t, 10*time.Second); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestSippRefreshAsCallee: sipp calls the door with Session-Expires: 90;refresher=uas and
// UPDATE in its Allow; the door, as refresher, sends an UPDATE without SDP at 45 s (fake
// clock), which sipp checks and answers; then sipp hangs up.
func TestSippRefreshAsCallee(t *testing.T) {
	testpeer.Require(t, "sipp")
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	u := runUA(t, context.Background(), func(c *Config) { c.SessionExpires, c.MinSE = 90*time.Second, 90*time.Second }, clk)
	s := testpeer.StartSipp(t, testpeer.SippOptions{
		Scenario: filepath.Join("testdata", "sipp", "uac_refresh_update.xml"),
		Remote:   u.Addr("udp").String(),
	})
	in := waitEvent(t, u, IncomingCall).Call
	if err := in.Answer(offerFor(5000, pcma)); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, u, Answered)
	in.mu.Lock()
	refresher := in.refresher
	in.mu.Unlock()
	if refresher != "uas" {
		t.Fatalf("refresher %q, want uas (the door)", refresher)
	}
	waitTimers(t, clk, 1)
	clk.Advance(45 * time.Second)
	if ev := waitEvent(t, u, Ended); ev.Reason != "remote hangup" {
		t.Errorf("ended %q", ev.Reason)
	}
	if err := s.Wait(t, 10*time.Second); err != nil {
		t.Error(err)
	}
}

// TestSippHoldGlare: the phone answers the first hold re-INVITE with 491; Hold waits the
// RFC 3261 14.1 time (2.1-4 s as the caller, fake clock) and tries again, which succeeds.
func TestSippHoldGlare(t *testing.T) {
	testpeer.Require(t, "sipp")
	s := testpeer.StartSipp(t, testpeer.SippOptions{Scenario: filepath.Join("testdata", "sipp", "uas_hold_glare.xml")})
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	u := runUA(t, context.Background(), func(c *Config) { c.SessionExpires = 0 }, clk)
	call, err := u.Dial(context.Background(), s.URI("sipp"), offerFor(4000, pcma, pcmu))
	if err != nil {
		t.Fatal(err)
	}
	waitEvent(t, u, Answered)
	held := make(chan error, 1)
	go func() { held <- call.Hold() }()
	waitTimers(t, clk, 1) // the 491 is in: the glare wait is armed
	clk.Advance(4 * time.Second)
	if err := <-held; err != nil {
		t.Errorf("hold after 491: %v", err)
	}
	if d := call.Negotiated().Direction; d != "sendonly" {
		t.Errorf("direction %q after hold, want sendonly", d)
	}
	if ev := waitEvent(t, u, Ended); ev.Call != call {
		t.Errorf("ended another call")
	}
	if err := s.Wait(t, 10*time.Second); err != nil {
		t.Error(err)
	}
}
