package app

import (
	"context"
	"fmt"
	"regexp"
	"strings"
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
	doorUnit := startUnit(t, "door", dp, "[sip.events]\nallow_from = [\"sip:101@127.0.0.1\"]\n")
	indoor := startUnit(t, "indoor", ip, "[call]\nincoming = \"button\"\n")
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

// TestDoorBLFThroughKamailio: the BLF key subscribes to the door's AOR at Kamailio, which
// proxies the SUBSCRIBE to the registered door and routes the NOTIFYs back (record-route);
// the key follows the bell's call to a baresip phone through ring, answer and hang-up.
func TestDoorBLFThroughKamailio(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Kamailio and baresip")
	}
	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{})
	phone := testpeer.StartBaresip(t, testpeer.BaresipOptions{User: "102", Registrar: k.URI(), Password: "secret", AutoAnswer: true, ToneHz: 660})
	sipPort := testpeer.FreePort(t)
	doorUnit := startUnit(t, "door", sipPort, fmt.Sprintf(`
[[account]]
registrar = %q
user = "door"
password = "secret"
[sip.events]
allow_from = ["sip:101@%s"]
[[button]]
name = "bell"
line = 0
call = ["sip:102@%s"]
`, k.URI(), k.Domain, k.Domain))
	waitUntil(t, 10*time.Second, "door registered", func() bool { return doorUnit.Controller().Status().Registered })
	waitUntil(t, 10*time.Second, "phone registered", func() bool { return strings.Contains(phone.Output(), "200 OK") })

	blf := testpeer.NewSubscriber(t, k.Addr, "sip:door@"+k.Domain, "sip:101@"+k.Domain)
	res := blf.Subscribe("dialog", "Expires: 600")
	if res.StatusCode != 200 || len(res.GetHeaders("Record-Route")) == 0 {
		t.Fatalf("SUBSCRIBE through Kamailio: %s", res.String())
	}
	n := blf.Notify()
	if via := testpeer.Header(n, "Via"); !strings.Contains(via, k.Addr.String()) {
		t.Errorf("NOTIFY did not come through Kamailio: Via %q", via)
	}

	start := time.Now()
	if _, err := doorUnit.Controller().Do(context.Background(), door.Command{Op: "press", Arg: "bell"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"early", "confirmed"} {
		at := awaitDialogState(t, blf, want)
		t.Logf("bell -> NOTIFY %s after %v", want, at.Sub(start))
	}
	waitUntil(t, 5*time.Second, "in call", func() bool { return doorUnit.Controller().Status().State == door.InCall })
	start = time.Now()
	if _, err := doorUnit.Controller().Do(context.Background(), door.Command{Op: "hangup"}); err != nil {
		t.Fatal(err)
	}
	at := awaitDialogState(t, blf, "terminated")
	t.Logf("hang-up -> NOTIFY terminated after %v", at.Sub(start))
	if at.Sub(start) > time.Second {
		t.Errorf("terminated came %v after the hang-up", at.Sub(start))
	}
	// Refresh and unsubscribe along the route set.
	if res := blf.Subscribe("dialog", "Expires: 0"); res.StatusCode != 200 {
		t.Fatalf("unsubscribe through Kamailio: %s", res.StartLine())
	}
	if n := blf.Notify(); !strings.HasPrefix(testpeer.Header(n, "Subscription-State"), "terminated") {
		t.Errorf("after unsubscribe: %q", testpeer.Header(n, "Subscription-State"))
	}
}

// TestEventStats: `intercom ctl stats` counts the subscriptions held and refused.
func TestEventStats(t *testing.T) {
	dp := testpeer.FreePort(t)
	u := startUnit(t, "door", dp, "[sip.events]\nallow_from = [\"sip:101@127.0.0.1\"]\n")
	if st := (ctlHandler{a: u}).Stats(); st.Events == nil || st.Events.Subscriptions != 0 {
		t.Fatalf("before: %+v", st.Events)
	}
	addr := u.UA().Addr("udp")
	ok := testpeer.NewSubscriber(t, addr, "sip:door@"+addr.String(), "sip:101@127.0.0.1")
	ok.Subscribe("dialog")
	no := testpeer.NewSubscriber(t, addr, "sip:door@"+addr.String(), "sip:666@127.0.0.1")
	no.Subscribe("dialog")
	if st := (ctlHandler{a: u}).Stats(); st.Events == nil || st.Events.Subscriptions != 1 || st.Events.Refused != 1 {
		t.Errorf("after: %+v", st.Events)
	}
}
