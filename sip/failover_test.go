package sip

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/testpeer"
)

// TestCallFollowsFailover: the bell's INVITE goes through the registrar holding the door's
// binding. Two Kamailio instances at two addresses (127.0.0.1 and 127.0.0.2, each its own
// domain), each a registrar and proxy challenging the door's INVITEs (so the account's
// credentials are used on each), each with a phone 101 registered. The bell calls
// sip:101@<primary> as a config names it. Through the primary first; the primary stopped,
// the door fails over to the backup, registers and calls in the backup's domain, and the
// call reaches the backup's phone through the backup; the primary back (with a new phone),
// the door fails back at its refresh and calls go through the primary again.
func TestCallFollowsFailover(t *testing.T) {
	ctx := context.Background()
	primary := testpeer.StartKamailio(t, testpeer.KamailioOptions{AuthInvite: true})
	backup := testpeer.StartKamailio(t, testpeer.KamailioOptions{AuthInvite: true, IP: netip.MustParseAddr("127.0.0.2")})
	phone := func(k *testpeer.Kamailio) *testpeer.Baresip {
		b := testpeer.StartBaresip(t, testpeer.BaresipOptions{User: "101", Registrar: k.URI(), Password: "secret", AutoAnswer: true})
		waitFor(t, func() bool { return strings.Contains(b.Output(), "200 OK") })
		return b
	}
	phoneP, phoneB := phone(primary), phone(backup)

	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	a := account(primary, "door", "secret")
	// TCP: a stopped registrar refuses the connection at once, no 32 s UDP timeout.
	a.Registrar += ";transport=tcp"
	a.BackupRegistrar = backup.URI() + ";transport=tcp"
	u := runUA(t, ctx, func(c *Config) { c.Accounts = []Account{a}; c.Keepalive = 0 }, clk)

	invites := func(k *testpeer.Kamailio) int { return strings.Count(k.Output(), "request INVITE sip:101@"+k.Domain) }
	target := "sip:101@" + primary.Domain
	bell := func(via *testpeer.Kamailio, other *testpeer.Kamailio, ph *testpeer.Baresip) {
		t.Helper()
		before, otherBefore := invites(via), invites(other)
		answers := strings.Count(ph.Output(), "answering call on line 1 from sip:door@"+via.Domain)
		call, err := u.Dial(ctx, target, offerFor(4000, pcmu))
		if err != nil {
			t.Fatal(err)
		}
		waitEvent(t, u, Answered)
		if !call.Negotiated().Remote.IsValid() {
			t.Errorf("no remote media")
		}
		call.Hangup()
		waitEvent(t, u, Ended)
		// Two INVITEs: the first is challenged (407), the second carries the credentials.
		if n := invites(via) - before; n != 2 {
			t.Errorf("%s saw %d INVITEs for the call, want 2 (407, then with credentials)", via.URI(), n)
		}
		if n := invites(other) - otherBefore; n != 0 {
			t.Errorf("%s saw %d INVITEs, want none", other.URI(), n)
		}
		if strings.Count(ph.Output(), "answering call on line 1 from sip:door@"+via.Domain) != answers+1 {
			t.Errorf("the phone at %s did not answer:\n%s", via.URI(), ph.Output())
		}
	}

	if ev := waitReg(t, u, Registered); ev.Reg.Registrar != a.Registrar {
		t.Fatalf("registered at %q, want the primary", ev.Reg.Registrar)
	}
	bell(primary, backup, phoneP)

	primary.Stop()
	waitTimers(t, clk, 1)
	clk.Advance(150 * time.Second) // refresh at half of 300 s: the primary is gone
	waitReg(t, u, Failing)
	waitTimers(t, clk, 1)
	clk.Advance(2 * time.Second) // first backoff step, at most 2 s: on to the backup
	if ev := waitReg(t, u, Registered); ev.Reg.Registrar != a.BackupRegistrar {
		t.Fatalf("registered at %q, want the backup", ev.Reg.Registrar)
	}
	bell(backup, primary, phoneB)

	primary = testpeer.StartKamailio(t, testpeer.KamailioOptions{AuthInvite: true, Port: int(primary.Addr.Port())})
	phoneP = phone(primary)
	waitTimers(t, clk, 1)
	clk.Advance(150 * time.Second) // refresh on the backup's grant: fail-back to the primary
	if ev := waitReg(t, u, Registered); ev.Reg.Registrar != a.Registrar {
		t.Fatalf("registered at %q after the refresh, want the primary again", ev.Reg.Registrar)
	}
	bell(primary, backup, phoneP)
}

// TestCallUsesRegisteredAccount: with two accounts, the bell goes out with the one that is
// registered (its identity, credentials and registrar), not simply the first in the file.
func TestCallUsesRegisteredAccount(t *testing.T) {
	ctx := context.Background()
	gone := testpeer.StartKamailio(t, testpeer.KamailioOptions{})
	gone.Stop()
	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{AuthInvite: true})
	ph := testpeer.StartBaresip(t, testpeer.BaresipOptions{User: "101", Registrar: k.URI(), Password: "secret", AutoAnswer: true})
	waitFor(t, func() bool { return strings.Contains(ph.Output(), "200 OK") })
	first := account(gone, "door", "secret")
	first.Registrar += ";transport=tcp"
	second := account(k, "door2", "secret")
	second.ID = "pbx2"
	u := runUA(t, ctx, func(c *Config) { c.Accounts = []Account{first, second}; c.Keepalive = 0 }, nil)
	for {
		ev := waitReg(t, u, Registered)
		if ev.Reg.Account == "pbx2" {
			break
		}
	}
	call, err := u.Dial(ctx, "101", offerFor(4000, pcmu))
	if err != nil {
		t.Fatal(err)
	}
	waitEvent(t, u, Answered)
	call.Hangup()
	waitEvent(t, u, Ended)
	if !strings.Contains(ph.Output(), "answering call on line 1 from sip:door2@") {
		t.Errorf("the phone was not called as door2:\n%s", ph.Output())
	}
}
