package sip

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/testpeer"
)

// TestPublishKamailio: the door PUBLISHes its presence to Kamailio's presence server
// (digest-challenged), a watcher subscribed there gets NOTIFYs with the door's note as the
// door rings and talks; the publication is refreshed with SIP-If-Match alone before it
// expires (fake clock), a forgotten entity tag (412) is replaced by a fresh PUBLISH, and
// the publication is withdrawn on stop.
func TestPublishKamailio(t *testing.T) {
	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{Presence: true})
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	ctx, cancel := context.WithCancel(context.Background())
	u := runUA(t, ctx, func(c *Config) {
		c.Accounts = []Account{{ID: "pbx", Registrar: k.URI(), User: "door", Password: "secret", Expires: 300 * time.Second}}
		c.Events.Publish = true
		c.Events.PublishExpires = 120 * time.Second
	}, clk)
	published := func(n int) PublishStatus {
		t.Helper()
		var st PublishStatus
		waitFor(t, func() bool { st, _ = u.Published(); return st.Count >= n })
		return st
	}
	first := published(1)
	if first.ETag == "" || first.Expires != 120*time.Second {
		t.Fatalf("after the first PUBLISH: %+v", first)
	}

	w := testpeer.NewSubscriber(t, k.Addr, "sip:door@"+k.Domain, "sip:101@"+k.Domain)
	if res := w.Subscribe("presence", "Expires: 600"); res.StatusCode/100 != 2 {
		t.Fatalf("SUBSCRIBE at Kamailio: %s", res.StartLine())
	}
	note := func(want string) {
		t.Helper()
		for {
			n := w.Notify()
			doc, err := parsePIDF(n.Body())
			if err == nil && len(doc.Tuples) > 0 && doc.Tuples[0].Note == want {
				return
			}
			t.Logf("NOTIFY from Kamailio while waiting for %q: %s", want, n.Body())
		}
	}
	note("idle")
	start := time.Now()
	u.SetDoorState(DoorState{Activity: DoorRingingIn, CallID: "k1", Incoming: true})
	note("ringing")
	t.Logf("door rings -> watcher's NOTIFY through Kamailio after %v", time.Since(start))
	u.SetDoorState(DoorState{Activity: DoorInCall, CallID: "k1", Incoming: true, DoorOpen: true})
	note("in call, door open")
	changed := published(3)
	if changed.ETag == first.ETag {
		t.Errorf("entity tag unchanged after a modification: %s", changed.ETag)
	}

	// Refresh at half the granted time: SIP-If-Match without a body, a new tag back.
	clk.Advance(60 * time.Second)
	refreshed := published(4)
	if refreshed.ETag == "" || refreshed.ETag == changed.ETag {
		t.Errorf("refresh: %+v after %+v", refreshed, changed)
	}
	if !strings.Contains(k.Output(), "request PUBLISH") {
		t.Error("Kamailio saw no PUBLISH")
	}

	// A restarted presence server has forgotten the tag: the refresh gets 412 and the door
	// publishes its document afresh.
	k.Stop()
	k2 := testpeer.StartKamailio(t, testpeer.KamailioOptions{Presence: true, Port: int(k.Addr.Port())})
	clk.Advance(60 * time.Second)
	again := published(5)
	if again.ETag == "" || again.ETag == refreshed.ETag {
		t.Errorf("after the server restart: %+v", again)
	}
	// refresh (401), refresh with credentials (412), fresh PUBLISH with credentials (200)
	if n := strings.Count(k2.Output(), "request PUBLISH"); n < 3 {
		t.Errorf("%d PUBLISH requests at the restarted server, want at least 3 (a 412 and a fresh one)\n%s", n, k2.Output())
	}

	cancel()
	waitFor(t, func() bool { st, _ := u.Published(); return st.ETag == "" })
}
