package sip

import (
	"context"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if l := testLogger(); l != nil {
		SetLibraryLogger(l)
	} else {
		SetLibraryLogger(slog.New(slog.DiscardHandler))
	}
	goleak.VerifyTestMain(m)
}

// TestCallLoopback is the demo's path: two userless intercoms on loopback call each other,
// ring, answer, exchange INFO DTMF, hold and hang up.
func TestCallLoopback(t *testing.T) {
	for _, tc := range []struct {
		name      string
		transport string
		hangupBy  string
	}{
		{"udp-callee-hangs-up", "", "callee"},
		{"udp-caller-hangs-up", "", "caller"},
		{"tcp", ";transport=tcp", "caller"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := startUA(t, nil)
			b := startUA(t, nil)
			call, err := a.Dial(context.Background(), sipURI(b, "door")+tc.transport, offerFor(4000, pcmu, pcma, g722))
			if err != nil {
				t.Fatal(err)
			}
			in := waitEvent(t, b, IncomingCall).Call
			if !in.Incoming() || call.Incoming() {
				t.Fatalf("incoming flags wrong")
			}
			if in.ID() != call.ID() {
				t.Fatalf("call IDs differ: %q %q", in.ID(), call.ID())
			}
			if got, want := in.Remote(), "sip:door@127.0.0.1"; got != want {
				t.Errorf("Remote() = %q, want %q", got, want)
			}
			in.Ring()
			waitEvent(t, a, Ringing)
			// Callee prefers PCMA: RFC 3264 answer takes our order among those offered.
			if err := in.Answer(offerFor(5000, pcma, pcmu)); err != nil {
				t.Fatal(err)
			}
			waitEvent(t, a, Answered)
			waitEvent(t, b, Answered)
			na, nb := call.Negotiated(), in.Negotiated()
			if na.Codec.Name != "PCMA" || nb.Codec.Name != "PCMA" {
				t.Errorf("codecs: caller %+v callee %+v, want PCMA", na.Codec, nb.Codec)
			}
			if na.Remote != netip.MustParseAddrPort("127.0.0.1:5000") || nb.Remote != netip.MustParseAddrPort("127.0.0.1:4000") {
				t.Errorf("remotes: caller %v callee %v", na.Remote, nb.Remote)
			}
			if na.DTMFPayloadType != 101 || nb.DTMFPayloadType != 101 || na.Direction != "sendrecv" {
				t.Errorf("negotiated: %+v / %+v", na, nb)
			}
			if err := call.SendDTMF('5'); err != nil {
				t.Fatal(err)
			}
			if d := waitEvent(t, b, DTMF).Digit; d != '5' {
				t.Errorf("digit %q", d)
			}
			if err := in.SendDTMF('#'); err != nil {
				t.Fatal(err)
			}
			if d := waitEvent(t, a, DTMF).Digit; d != '#' {
				t.Errorf("digit %q", d)
			}
			if err := call.Hold(); err != nil {
				t.Fatal(err)
			}
			waitEvent(t, b, MediaUpdate)
			if d := in.Negotiated().Direction; d != "recvonly" {
				t.Errorf("held callee direction %q, want recvonly", d)
			}
			if d := call.Negotiated().Direction; d != "sendonly" {
				t.Errorf("holding caller direction %q, want sendonly", d)
			}
			if err := call.Unhold(); err != nil {
				t.Fatal(err)
			}
			waitEvent(t, b, MediaUpdate)
			if d := in.Negotiated().Direction; d != "sendrecv" {
				t.Errorf("unheld direction %q", d)
			}
			if tc.hangupBy == "callee" {
				in.Hangup()
			} else {
				call.Hangup()
			}
			waitEvent(t, a, Ended)
			waitEvent(t, b, Ended)
		})
	}
}

func TestCallRejectAndNoCodec(t *testing.T) {
	a := startUA(t, nil)
	b := startUA(t, nil)

	call, err := a.Dial(context.Background(), sipURI(b, "door"), offerFor(4000, pcmu))
	if err != nil {
		t.Fatal(err)
	}
	waitEvent(t, b, IncomingCall).Call.Reject(486)
	if ev := waitEvent(t, a, Ended); ev.Code != 486 || ev.Call != call {
		t.Errorf("ended %d %q", ev.Code, ev.Reason)
	}

	_, err = a.Dial(context.Background(), sipURI(b, "door"), offerFor(4000, pcmu))
	if err != nil {
		t.Fatal(err)
	}
	in := waitEvent(t, b, IncomingCall).Call
	if err := in.Answer(offerFor(5000, g722)); err == nil {
		t.Error("Answer with no common codec succeeded")
	}
	if ev := waitEvent(t, a, Ended); ev.Code != 488 {
		t.Errorf("ended %d %q, want 488", ev.Code, ev.Reason)
	}
}

// TestCallCancel covers hanging up an outgoing call before the answer: CANCEL after the
// 180, and the CANCEL/200 race (answer arrives anyway: ACK then BYE).
func TestCallCancel(t *testing.T) {
	a := startUA(t, nil)
	b := startUA(t, nil)

	call, err := a.Dial(context.Background(), sipURI(b, "door"), offerFor(4000, pcma))
	if err != nil {
		t.Fatal(err)
	}
	in := waitEvent(t, b, IncomingCall).Call
	in.Ring()
	waitEvent(t, a, Ringing)
	call.Hangup()
	if ev := waitEvent(t, b, Ended); ev.Code != 487 {
		t.Errorf("callee ended %d %q, want 487", ev.Code, ev.Reason)
	}
	if ev := waitEvent(t, a, Ended); ev.Code != 487 {
		t.Errorf("caller ended %d %q, want 487", ev.Code, ev.Reason)
	}

	// Race: the caller hangs up before any provisional, the callee answers at once.
	call, err = a.Dial(context.Background(), sipURI(b, "door"), offerFor(4000, pcma))
	if err != nil {
		t.Fatal(err)
	}
	call.Hangup()
	in = waitEvent(t, b, IncomingCall).Call
	if err := in.Answer(offerFor(5000, pcma)); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, a, Ended)
	if ev := waitEvent(t, b, Ended); ev.Code != 0 {
		t.Errorf("callee ended %d %q, want BYE", ev.Code, ev.Reason)
	}
}

// TestSessionTimerRefresh: with RFC 4028 timers on both sides (90 s), the caller refreshes
// with a re-INVITE every 45 s on the fake clock and the callee, reset each time, keeps the
// call up past the interval.
func TestSessionTimerRefresh(t *testing.T) {
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	se := func(c *Config) { c.SessionExpires, c.MinSE = 90*time.Second, 90*time.Second }
	a := runUA(t, context.Background(), se, clk)
	b := runUA(t, context.Background(), se, clk)
	call, _ := answered(t, a, b, sipURI(b, "door"))
	waitTimers(t, clk, 2)
	for i := 1; i <= 3; i++ {
		clk.Advance(45 * time.Second)
		// The refresh is a re-INVITE with unchanged media: the callee restarts its timer
		// (due in 60 s, was 15) and the caller re-arms its own (45 s): nothing is due sooner.
		waitFor(t, func() bool { d, _ := clk.NextDue(); return clk.Timers() == 2 && d >= 45*time.Second })
	}
	if err := call.SendDTMF('1'); err != nil {
		t.Fatalf("call not up after 135 s of a 90 s session: %v", err)
	}
	call.Hangup()
	waitEvent(t, b, Ended)
}

// TestSessionTimer422: the callee's Min-SE is above the caller's interval; its 422 makes the
// caller retry once with the interval asked for (RFC 4028 section 6), and the call goes up.
func TestSessionTimer422(t *testing.T) {
	a := runUA(t, context.Background(), func(c *Config) { c.SessionExpires, c.MinSE = 90*time.Second, 90*time.Second }, nil)
	b := runUA(t, context.Background(), func(c *Config) { c.MinSE = 120 * time.Second }, nil)
	call, err := a.Dial(context.Background(), sipURI(b, "door"), offerFor(4000, pcma))
	if err != nil {
		t.Fatal(err)
	}
	in := waitEvent(t, b, IncomingCall).Call
	in.mu.Lock()
	se := in.session
	in.mu.Unlock()
	if se != 120*time.Second {
		t.Errorf("session interval after 422: %s, want 2m0s", se)
	}
	if err := in.Answer(offerFor(5000, pcma)); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, a, Answered)
	call.Hangup()
	waitEvent(t, b, Ended)
}

// TestCallIPv6: two UAs on ::1 (SDP c=IN IP6, bracketed URIs).
func TestCallIPv6(t *testing.T) {
	v6 := func(c *Config) { c.Listen = "[::1]:0" }
	a := runUA(t, context.Background(), v6, nil)
	b := runUA(t, context.Background(), v6, nil)
	offer := offerFor(4000, pcma)
	offer.Addr = netip.AddrPortFrom(netip.IPv6Unspecified(), 4000)
	call, err := a.Dial(context.Background(), "sip:door@"+b.Addr("udp").String(), offer)
	if err != nil {
		t.Fatal(err)
	}
	in := waitEvent(t, b, IncomingCall).Call
	boffer := offerFor(5000, pcma)
	boffer.Addr = netip.AddrPortFrom(netip.IPv6Unspecified(), 5000)
	if err := in.Answer(boffer); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, a, Answered)
	if got := call.Negotiated().Remote; got != netip.MustParseAddrPort("[::1]:5000") {
		t.Errorf("remote %v", got)
	}
	if got := in.Negotiated().Remote; got != netip.MustParseAddrPort("[::1]:4000") {
		t.Errorf("remote %v", got)
	}
	call.Hangup()
	waitEvent(t, b, Ended)
}

// TestTransfer: the callee asks the caller (REFER) to call someone else; the caller's
// controller gets a Transfer event with the Refer-To target.
func TestTransfer(t *testing.T) {
	a := runUA(t, context.Background(), nil, nil)
	b := runUA(t, context.Background(), nil, nil)
	call, in := answered(t, a, b, sipURI(b, "door"))
	if err := in.Transfer("sip:concierge@192.0.2.9"); err != nil {
		t.Fatal(err)
	}
	if ev := waitEvent(t, a, Transfer); ev.Reason != "sip:concierge@192.0.2.9" || ev.Call != call {
		t.Errorf("transfer to %q", ev.Reason)
	}
	if err := in.Transfer("not a uri"); err == nil {
		t.Error("bad transfer target accepted")
	}
	call.Hangup()
	waitEvent(t, b, Ended)
}

// TestShutdownEndsCalls: stopping Run hangs up an answered call (BYE) and refuses new
// INVITEs while draining.
func TestShutdownEndsCalls(t *testing.T) {
	ctx, stop := context.WithCancel(context.Background())
	a := runUA(t, ctx, nil, nil)
	b := runUA(t, context.Background(), nil, nil)
	answered(t, a, b, sipURI(b, "door"))
	stop()
	if ev := waitEvent(t, b, Ended); ev.Reason != "remote hangup" {
		t.Errorf("callee ended %q", ev.Reason)
	}
	if _, err := a.Dial(context.Background(), sipURI(b, "door"), offerFor(4000, pcma)); err == nil {
		t.Error("Dial on a stopped UA succeeded")
	}
}

// TestEventsFull: a consumer that stopped reading does not wedge the UA; a call it can no
// longer be told about is refused with 503.
func TestEventsFull(t *testing.T) {
	a := runUA(t, context.Background(), nil, nil)
	cfg := Defaults()
	cfg.Listen = "127.0.0.1:0"
	b, err := NewUA(cfg, Options{EventBuffer: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- b.Run(ctx) }()
	defer func() { cancel(); <-errc }()
	<-b.Ready()
	if _, err := a.Dial(context.Background(), sipURI(b, "door"), offerFor(4000, pcma)); err != nil {
		t.Fatal(err)
	}
	// First call fills b's single slot; the second cannot be announced.
	if _, err := a.Dial(context.Background(), sipURI(b, "door"), offerFor(4002, pcma)); err != nil {
		t.Fatal(err)
	}
	if ev := waitEvent(t, a, Ended); ev.Code != 503 {
		t.Errorf("second call ended %d, want 503", ev.Code)
	}
}
