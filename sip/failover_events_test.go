package sip

import (
	"context"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/testpeer"
)

// TestEventsFollowFailover: PUBLISH and the MWI subscription go through the registrar holding
// the door's binding. Two Kamailio presence servers at two addresses (each its own domain,
// each relaying SUBSCRIBEs for the voicemail box to a sipp voicemail server); the primary
// stopped, the door fails over to the backup and publishes there afresh (a watcher at the
// backup sees the door's note) and subscribes to the box anew through it; the primary back,
// fail-back moves both to the primary again.
func TestEventsFollowFailover(t *testing.T) {
	ctx := context.Background()
	primary := testpeer.StartKamailio(t, testpeer.KamailioOptions{Presence: true, Relay: true})
	backup := testpeer.StartKamailio(t, testpeer.KamailioOptions{Presence: true, Relay: true, IP: netip.MustParseAddr("127.0.0.2")})
	vm := testpeer.StartSipp(t, testpeer.SippOptions{Scenario: filepath.Join("testdata", "sipp", "uas_mwi_failover.xml"), Service: "vm", Calls: 10})

	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	a := account(primary, "door", "secret")
	// TCP: a stopped registrar refuses the connection at once, no 32 s UDP timeout.
	a.Registrar += ";transport=tcp"
	a.BackupRegistrar = backup.URI() + ";transport=tcp"
	box := vm.URI("101")
	u := runUA(t, ctx, func(c *Config) {
		c.Accounts = []Account{a}
		c.Keepalive = 0
		c.Events.Publish = true
		c.Events.PublishExpires = 600 * time.Second
		c.Events.MWI = []string{box}
	}, clk)

	// Registration and MWI events interleave: keep the ones a wait skipped.
	var pending []Event
	next := func(kind EventKind, ok func(Event) bool) Event {
		t.Helper()
		for i, ev := range pending {
			if ev.Kind == kind && ok(ev) {
				pending = append(pending[:i], pending[i+1:]...)
				return ev
			}
		}
		deadline := time.After(10 * time.Second)
		for {
			select {
			case ev := <-u.Events():
				if ev.Kind == kind && ok(ev) {
					return ev
				}
				pending = append(pending, ev)
			case <-deadline:
				t.Fatalf("no %v event; had %+v", kind, pending)
			}
		}
	}
	registered := func(at string) {
		t.Helper()
		next(Registration, func(ev Event) bool { return ev.Reg.State == Registered && ev.Reg.Registrar == at })
	}
	messages := func(n int) {
		t.Helper()
		next(MessageWaiting, func(ev Event) bool { return ev.MWI.New == n && ev.MWI.Account == box })
	}
	publishedAt := func(at string, after int) PublishStatus {
		t.Helper()
		var st PublishStatus
		waitFor(t, func() bool { st, _ = u.Published(); return st.Count > after && st.Registrar == at })
		return st
	}
	requests := func(k *testpeer.Kamailio, method, ruri string) int {
		return strings.Count(k.Output(), "request "+method+" "+ruri)
	}
	watch := func(k *testpeer.Kamailio, want string) *testpeer.Subscriber {
		t.Helper()
		w := testpeer.NewSubscriber(t, k.Addr, "sip:door@"+k.Domain, "sip:101@"+k.Domain)
		if res := w.Subscribe("presence", "Expires: 600"); res.StatusCode/100 != 2 {
			t.Fatalf("SUBSCRIBE at %s: %s", k.URI(), res.StartLine())
		}
		for {
			doc, err := parsePIDF(w.Notify().Body())
			if err == nil && len(doc.Tuples) > 0 && doc.Tuples[0].Note == want {
				return w
			}
		}
	}

	registered(a.Registrar)
	messages(1)
	st := publishedAt(a.Registrar, 0)
	watch(primary, "idle")
	if requests(primary, "SUBSCRIBE", box) == 0 || requests(backup, "PUBLISH", "") != 0 {
		t.Errorf("before the failover: primary SUBSCRIBEs %d, backup PUBLISHes %d", requests(primary, "SUBSCRIBE", box), requests(backup, "PUBLISH", ""))
	}

	primary.Stop()
	// Timers: the registration's refresh, the publication's, the subscription's.
	waitTimers(t, clk, 3)
	clk.Advance(150 * time.Second) // the registration's refresh at half of 300 s: primary gone
	next(Registration, func(ev Event) bool { return ev.Reg.State == Failing })
	waitTimers(t, clk, 3)
	clk.Advance(2 * time.Second) // the first backoff step, at most 2 s: on to the backup
	registered(a.BackupRegistrar)
	messages(2)
	onBackup := publishedAt(a.BackupRegistrar, st.Count)
	if onBackup.ETag == "" || onBackup.ETag == st.ETag {
		t.Errorf("publication at the backup: %+v (at the primary: %+v)", onBackup, st)
	}
	u.SetDoorState(DoorState{Activity: DoorRingingIn, CallID: "f1", Incoming: true})
	atBackup := watch(backup, "ringing")
	if requests(backup, "SUBSCRIBE", box) == 0 {
		t.Errorf("the backup relayed no SUBSCRIBE for %s:\n%s", box, backup.Output())
	}

	primary = testpeer.StartKamailio(t, testpeer.KamailioOptions{Presence: true, Relay: true, Port: int(primary.Addr.Port())})
	waitTimers(t, clk, 3)
	clk.Advance(150 * time.Second) // the refresh on the backup's grant: fail-back
	registered(a.Registrar)
	messages(3)
	back := publishedAt(a.Registrar, onBackup.Count)
	watch(primary, "ringing")
	// Left behind at the backup: the publication withdrawn (its watcher no longer sees the
	// door ringing) and the subscription ended through it.
	// (Its NOTIFYs may repeat "ringing" first; one without it must come.)
	for {
		doc, err := parsePIDF(atBackup.Notify().Body())
		if err != nil || len(doc.Tuples) == 0 || doc.Tuples[0].Note != "ringing" {
			break
		}
	}
	waitFor(t, func() bool { return requests(backup, "SUBSCRIBE", "sip:vm@") > 0 })
	// The restarted primary never saw our entity tag: the first PUBLISH there carried the
	// document (a refresh would have got 412 and a second PUBLISH).
	if n := requests(primary, "PUBLISH", ""); n > 2 {
		t.Errorf("%d PUBLISHes at the restarted primary, want 2 (401, then with credentials)", n)
	}
	if requests(primary, "SUBSCRIBE", box) == 0 {
		t.Errorf("the primary relayed no SUBSCRIBE after fail-back:\n%s", primary.Output())
	}
	t.Logf("publications: primary %+v, backup %+v, primary again %+v", st, onBackup, back)
}
