package sip

import (
	"context"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/testpeer"
)

func account(k *testpeer.Kamailio, user, password string) Account {
	a := AccountDefaults()
	a.ID, a.Registrar, a.User, a.Password = "pbx", k.URI(), user, password
	return a
}

func waitReg(t *testing.T, u *UA, want RegistrationState) Event {
	t.Helper()
	for {
		ev := waitEvent(t, u, Registration)
		if ev.Reg.State == want {
			return ev
		}
		t.Logf("registration %v %d %s", ev.Reg.State, ev.Code, ev.Reason)
	}
}

// TestRegisterKamailio registers with digest (MD5 and SHA-256, qop=auth), refreshes on the
// fake clock, and unregisters on stop; a wrong password ends in Failing with 403 and a
// backoff timer.
func TestRegisterKamailio(t *testing.T) {
	for _, alg := range []string{"MD5", "SHA-256"} {
		t.Run(alg, func(t *testing.T) {
			k := testpeer.StartKamailio(t, testpeer.KamailioOptions{Algorithm: alg})
			clk := clock.NewFake(time.Unix(1_700_000_000, 0))
			ctx, cancel := context.WithCancel(context.Background())
			u := runUA(t, ctx, func(c *Config) { c.Accounts = []Account{account(k, "door", "secret")} }, clk)
			ev := waitReg(t, u, Registered)
			if ev.Reg.Expires != 300*time.Second || ev.Reg.Code != 200 {
				t.Errorf("registered: %+v", ev.Reg)
			}
			if got := u.Registrations(); len(got) != 1 || got[0].State != Registered {
				t.Errorf("Registrations() = %+v", got)
			}
			// Refresh at half the granted time.
			waitTimers(t, clk, 1)
			clk.Advance(150 * time.Second)
			ev = waitReg(t, u, Registered)
			if ev.Reg.Expires <= 0 {
				t.Errorf("refresh: %+v", ev.Reg)
			}
			cancel()
			waitReg(t, u, Unregistered)
		})
	}
	t.Run("wrong-password", func(t *testing.T) {
		k := testpeer.StartKamailio(t, testpeer.KamailioOptions{})
		clk := clock.NewFake(time.Unix(1_700_000_000, 0))
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		u := runUA(t, ctx, func(c *Config) { c.Accounts = []Account{account(k, "door", "wrong")} }, clk)
		ev := waitReg(t, u, Failing)
		if ev.Reg.Code != 403 && ev.Reg.Code != 401 {
			t.Errorf("failing with %d %q, want 401/403", ev.Reg.Code, ev.Reg.Reason)
		}
		// The retry waits on a backoff timer (2 s base, jitter down to half).
		waitTimers(t, clk, 1)
		clk.Advance(2 * time.Second)
		ev = waitReg(t, u, Failing)
		if ev.Reg.Code != 403 && ev.Reg.Code != 401 {
			t.Errorf("retry failing with %d", ev.Reg.Code)
		}
	})
	t.Run("min-expires", func(t *testing.T) {
		k := testpeer.StartKamailio(t, testpeer.KamailioOptions{MinExpires: 600})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		u := runUA(t, ctx, func(c *Config) { c.Accounts = []Account{account(k, "door", "secret")} }, nil)
		ev := waitReg(t, u, Registered)
		if ev.Reg.Expires < 600*time.Second {
			t.Errorf("expires %v, want >= 600s after 423", ev.Reg.Expires)
		}
	})
}

// TestRegistrarRestart: the registrar (over TCP, so a dead one is noticed at once) goes
// away; the UA reports Failing and backs off; once a new registrar listens on the same
// address, the next attempt registers again.
func TestRegistrarRestart(t *testing.T) {
	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{})
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	a := account(k, "door", "secret")
	a.Registrar += ";transport=tcp"
	u := runUA(t, context.Background(), func(c *Config) { c.Accounts = []Account{a}; c.Keepalive = 0 }, clk)
	waitReg(t, u, Registered)
	k.Stop()
	waitTimers(t, clk, 1)
	clk.Advance(150 * time.Second) // refresh at half of 300 s: the registrar is gone
	waitReg(t, u, Failing)
	testpeer.StartKamailio(t, testpeer.KamailioOptions{Port: int(k.Addr.Port())})
	waitTimers(t, clk, 1)
	clk.Advance(2 * time.Second) // first backoff step, at most 2 s
	waitReg(t, u, Registered)
}

// TestRegisterTCPKeepalive: over TCP the CRLFCRLF keepalives go down the registration's
// connection, which Kamailio accepts; the refresh afterwards still succeeds on it.
func TestRegisterTCPKeepalive(t *testing.T) {
	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{})
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	a := account(k, "door", "secret")
	a.Registrar += ";transport=tcp"
	u := runUA(t, context.Background(), func(c *Config) { c.Accounts = []Account{a}; c.Keepalive = 15 * time.Second }, clk)
	waitReg(t, u, Registered)
	for i := 0; i < 9; i++ {
		waitTimers(t, clk, 2)
		clk.Advance(15 * time.Second)
	}
	clk.Advance(15 * time.Second) // 150 s: refresh
	waitReg(t, u, Registered)
}
