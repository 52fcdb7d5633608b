package sip

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/testpeer"
)

// waitNotified waits until a subscription of u has had its n-th NOTIFY answered (the fact
// the next step of a sipp scenario needs), so one state change never overtakes another.
func waitNotified(t *testing.T, u *UA, n uint32) {
	t.Helper()
	waitFor(t, func() bool {
		u.notif.mu.Lock()
		defer u.notif.mu.Unlock()
		for _, s := range u.notif.subs {
			if s.version >= n && !s.sending {
				return true
			}
		}
		return false
	})
}

// TestSippSubscribe runs sipp as a phone's BLF key, and as a hostile subscriber, against the
// door's notifier.
func TestSippSubscribe(t *testing.T) {
	for _, tc := range []struct {
		scenario string
		fake     bool
		calls    int
		mutate   func(*Config)
		run      func(t *testing.T, u *UA, clk *clock.Fake)
	}{
		{"uac_blf_dialog.xml", false, 1, nil, func(t *testing.T, u *UA, _ *clock.Fake) {
			waitNotified(t, u, 1)
			for i, st := range []DoorState{
				{Activity: DoorRingingOut, CallID: "c1", Remote: "sip:101@pbx"},
				{Activity: DoorInCall, CallID: "c1", Remote: "sip:101@pbx"},
				{Activity: DoorIdle, CallID: "c1"},
			} {
				u.SetDoorState(st)
				if i < 2 { // after the last one sipp refreshes and unsubscribes on its own
					waitNotified(t, u, uint32(i+2))
				}
			}
		}},
		{"uac_blf_expiry.xml", true, 1, nil, func(t *testing.T, u *UA, clk *clock.Fake) {
			waitNotified(t, u, 1)
			waitTimers(t, clk, 1)
			clk.Advance(60 * time.Second)
		}},
		{"uac_subscribe_hostile.xml", false, 1, nil, nil},
		{"uac_subscribe_flood.xml", false, 1000, func(c *Config) { c.Scanner.Rate = 0 }, nil},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			var clk *clock.Fake
			var c clock.Clock
			if tc.fake {
				clk = clock.NewFake(time.Unix(1_700_000_000, 0))
				c = clk
			}
			u := runUA(t, context.Background(), func(cfg *Config) {
				cfg.Events.AllowFrom = []string{"127.0.0.1"}
				if tc.mutate != nil {
					tc.mutate(cfg)
				}
			}, c)
			var args []string
			if tc.calls > 1 {
				args = []string{"-r", "500", "-l", "50"}
			}
			s := testpeer.StartSipp(t, testpeer.SippOptions{
				Scenario: filepath.Join("testdata", "sipp", tc.scenario),
				Remote:   u.Addr("udp").String(),
				Calls:    tc.calls,
				Args:     args,
			})
			if tc.run != nil {
				tc.run(t, u, clk)
			}
			if err := s.Wait(t, 30*time.Second); err != nil {
				t.Error(err)
			}
			if n := u.Subscriptions(); n > u.cfg.Events.MaxPerSource {
				t.Errorf("%d subscriptions held, max_per_source %d", n, u.cfg.Events.MaxPerSource)
			}
			if tc.calls > 1 {
				t.Logf("after %d SUBSCRIBEs from one source: %d subscriptions held", tc.calls, u.Subscriptions())
			}
		})
	}
}
