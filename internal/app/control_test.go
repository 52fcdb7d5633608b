package app

import (
	"context"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/testpeer"
)

// TestCtlStats: `intercom ctl stats` reports the call's audio while it runs and none after.
func TestCtlStats(t *testing.T) {
	pp, cp := testpeer.FreePort(t), testpeer.FreePort(t)
	peer := startUnit(t, "peer", pp, "[call]\nincoming = \"auto\"\n")
	caller := startUnit(t, "caller", cp, "")
	h := ctlHandler{caller}
	st := h.Stats()
	if st.Started.IsZero() || st.Goroutines == 0 || st.HeapKB == 0 || st.SysKB < st.HeapKB || st.Call != nil {
		t.Fatalf("idle stats %+v", st)
	}
	ctx := context.Background()
	if _, err := caller.Controller().Do(ctx, door.Command{Op: "call", Arg: fmt.Sprintf("sip:peer@127.0.0.1:%d", pp)}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 10*time.Second, "25 packets each way", func() bool {
		c := h.Stats().Call
		return c != nil && c.PacketsReceived >= 25 && c.PacketsSent >= 25
	})
	c := h.Stats().Call
	remote, err := netip.ParseAddrPort(c.Remote)
	if err != nil || !inRTPRange(peer, int(remote.Port())) || c.RecvDBFS < -30 || c.Invalid != 0 {
		t.Errorf("call stats %+v", *c)
	}
	t.Logf("call stats %+v", *c)
	if _, err := caller.Controller().Do(ctx, door.Command{Op: "hangup"}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 5*time.Second, "no call in the stats", func() bool { return h.Stats().Call == nil })
}
