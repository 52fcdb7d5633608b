package sip

import (
	"context"
	"log/slog"
	"net/netip"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/testpeer"
	"github.com/doorsip/intercom/sip/internal/testrun"
)

// testLogger logs to stderr when SIP_DEBUG is set (go test -v), otherwise discards.
func testLogger() *slog.Logger {
	if os.Getenv("SIP_DEBUG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return nil
}

// runUA runs a UA on 127.0.0.1 with an ephemeral port until ctx ends or the test ends.
func runUA(t testing.TB, ctx context.Context, mutate func(*Config), clk clock.Clock) *UA {
	t.Helper()
	cfg := Defaults()
	cfg.Listen = "127.0.0.1:0"
	if mutate != nil {
		mutate(&cfg)
	}
	u, err := NewUA(cfg, Options{Logger: testLogger(), Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	testrun.Run(t, ctx, u.Run, u.Ready())
	return u
}

// startUA runs a userless UA on 127.0.0.1 with an ephemeral port until the test ends.
func startUA(t testing.TB, mutate func(*Config)) *UA {
	t.Helper()
	return runUA(t, context.Background(), mutate, nil)
}

// waitEvent returns the next event of kind, failing after a generous real-time bound
// (a deadline for a broken test, not a measurement).
func waitEvent(t testing.TB, u *UA, kind EventKind) Event {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-u.Events():
			if ev.Kind == kind {
				return ev
			}
			t.Logf("skipping event %v (code %d %s)", ev.Kind, ev.Code, ev.Reason)
		case <-deadline:
			t.Fatalf("no %v event", kind)
		}
	}
}

var (
	pcma = Codec{Name: "PCMA", PayloadType: 8, ClockRate: 8000, Channels: 1}
	pcmu = Codec{Name: "PCMU", PayloadType: 0, ClockRate: 8000, Channels: 1}
	g722 = Codec{Name: "G722", PayloadType: 9, ClockRate: 8000, Channels: 1}
	l16  = Codec{Name: "L16", PayloadType: 96, ClockRate: 16000, Channels: 1}
)

func offerFor(port uint16, codecs ...Codec) MediaOffer {
	return MediaOffer{
		Addr:            netip.AddrPortFrom(netip.IPv4Unspecified(), port),
		Codecs:          codecs,
		DTMFPayloadType: 101,
		Ptime:           20 * time.Millisecond,
	}
}

// answered dials target from a, answers on b and waits until both report Answered; it
// returns the caller's Call and the callee's.
func answered(t testing.TB, a, b *UA, target string) (out, in *Call) {
	t.Helper()
	out, err := a.Dial(context.Background(), target, offerFor(4000, pcma))
	if err != nil {
		t.Fatal(err)
	}
	in = waitEvent(t, b, IncomingCall).Call
	if err := in.Answer(offerFor(5000, pcma)); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, a, Answered)
	waitEvent(t, b, Answered)
	return out, in
}

func sipURI(u *UA, user string) string {
	return "sip:" + user + "@" + u.Addr("udp").String()
}

// waitTimers yields until the code under test has armed at least n timers on clk, so that
// an Advance that follows cannot run ahead of it.
func waitTimers(t testing.TB, clk *clock.Fake, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for clk.Timers() < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d timers armed, want %d", clk.Timers(), n)
		}
		runtime.Gosched()
	}
}

// waitFor polls cond (for peers' log output) until it holds, failing after 10 s.
func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	testpeer.WaitUntil(t, 10*time.Second, "peer log output", cond)
}
