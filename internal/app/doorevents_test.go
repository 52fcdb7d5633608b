package app

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/testpeer"
)

var dialogStateRE = regexp.MustCompile(`<state>([a-z]+)</state>`)

// awaitDialogState reads NOTIFYs until one reports want ("" = no dialog) and returns when
// it arrived.
func awaitDialogState(t *testing.T, s *testpeer.Subscriber, want string) time.Time {
	t.Helper()
	for {
		n := s.Notify()
		got := ""
		if m := dialogStateRE.FindSubmatch(n.Body()); m != nil {
			got = string(m[1])
		}
		if got == want {
			return n.At
		}
		t.Logf("NOTIFY with dialog state %q while waiting for %q", got, want)
	}
}

// TestDoorBLF: a phone's BLF key subscribed to the door follows a real call between two
// units: early while the indoor unit rings, confirmed once it answers, terminated at the
// hang-up, each NOTIFY shortly after the change.
func TestDoorBLF(t *testing.T) {
	dp, ip := testpeer.FreePort(t), testpeer.FreePort(t)
	doorUnit := startUnit(t, "door", dp, 23000, "[sip.events]\nallow_from = [\"sip:101@127.0.0.1\"]\n")
	indoor := startUnit(t, "indoor", ip, 23100, "[call]\nincoming = \"button\"\n")
	addr := doorUnit.UA().Addr("udp")
	blf := testpeer.NewSubscriber(t, addr, "sip:door@"+addr.String(), "sip:101@127.0.0.1")
	if res := blf.Subscribe("dialog"); res.StatusCode != 200 {
		t.Fatalf("SUBSCRIBE: %s", res.StartLine())
	}
	awaitDialogState(t, blf, "")
	stranger := testpeer.NewSubscriber(t, addr, "sip:door@"+addr.String(), "sip:999@127.0.0.1")
	if res := stranger.Subscribe("dialog"); res.StatusCode != 403 {
		t.Errorf("a subscriber not in allow_from: %s, want 403", res.StartLine())
	}

	ctx := context.Background()
	var figures []time.Duration
	step := func(what, want string, do func()) {
		t.Helper()
		start := time.Now()
		do()
		at := awaitDialogState(t, blf, want)
		figures = append(figures, at.Sub(start))
		t.Logf("%s -> NOTIFY %s after %v", what, want, at.Sub(start))
	}
	step("door calls", "early", func() {
		if _, err := doorUnit.Controller().Do(ctx, door.Command{Op: "call", Arg: fmt.Sprintf("sip:indoor@127.0.0.1:%d", ip)}); err != nil {
			t.Fatal(err)
		}
	})
	waitUntil(t, 5*time.Second, "indoor ringing", func() bool { return indoor.Controller().Status().State == door.RingingIn })
	step("indoor answers", "confirmed", func() {
		if _, err := indoor.Controller().Do(ctx, door.Command{Op: "answer"}); err != nil {
			t.Fatal(err)
		}
	})
	step("indoor hangs up", "terminated", func() {
		if _, err := indoor.Controller().Do(ctx, door.Command{Op: "hangup"}); err != nil {
			t.Fatal(err)
		}
	})
	for _, d := range figures {
		// The change itself takes a SIP round trip between the units; a loaded machine
		// stretches it, so the bound is loose. The notifier's own share is TestSubscribeDialog's.
		if d > time.Second {
			t.Errorf("a NOTIFY came %v after the action", d)
		}
	}
}
