package app

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/testpeer"
)

// TestBaresipSRTP: SDES-SRTP calls with baresip's srtp module, both directions: the door
// calls a baresip that takes only SRTP, and such a baresip calls the door. Its 440 Hz tone
// comes through decrypted at tone level, with no packet refused but baresip's one clear
// RTCP PING when it calls (counted Unprotected).
func TestBaresipSRTP(t *testing.T) {
	if testing.Short() {
		t.Skip("starts baresip")
	}
	testpeer.Require(t, "baresip")
	for i, dir := range []string{"door calls", "baresip calls"} {
		t.Run(dir, func(t *testing.T) {
			port := testpeer.FreePort(t)
			a := startUnitWith(t, "door", port, "[call]\nincoming = \"auto\"\n", func(a *App) {
				mc := a.cfg.Media
				mc.SRTP = "mandatory"
				a.phone.setMedia(mc, a.cfg.Audio)
			})
			o := testpeer.BaresipOptions{MediaEnc: "srtp-mand", AutoAnswer: true}
			if i == 1 {
				o.Dial = "sip:door@127.0.0.1:" + strconv.Itoa(port)
			}
			b := testpeer.StartBaresip(t, o)
			if i == 0 {
				if _, err := a.Controller().Do(context.Background(), door.Command{Op: door.OpCall, Arg: b.URI}); err != nil {
					t.Fatal(err)
				}
			}
			waitUntil(t, 10*time.Second, "50 packets of baresip's tone", func() bool {
				st, ok := a.CallStats()
				return ok && st.PacketsReceived >= 50 && st.PacketsSent >= 50
			})
			st, _ := a.CallStats()
			t.Logf("%s: received %d at %.1f dBFS, sent %d, invalid %d, unprotected RTCP %d", dir, st.PacketsReceived, st.RecvLevel,
				st.PacketsSent, st.Invalid, st.Unprotected)
			// Every refusal is explained: when baresip calls, it starts RTCP with an APP
			// "PING" (a NAT pinhole opener) before its SRTP keys are set, sent in clear and
			// counted Unprotected, if our RTCP port is already open; a key mismatch would
			// refuse every packet as Invalid.
			if st.RecvLevel < -30 || st.Invalid != 0 {
				t.Errorf("received at %.1f dBFS with %d invalid packets, want none", st.RecvLevel, st.Invalid)
			}
			if allowed := int64(i); st.Unprotected > allowed {
				t.Errorf("%d plain RTCP packets, want at most %d (baresip's PING when it calls)", st.Unprotected, allowed)
			}
			if cs := a.phone.snapshot(); len(cs) != 1 || cs[0].leg().Negotiated().Crypto == "" {
				t.Errorf("no a=crypto agreed with baresip")
			}
			// baresip's srtp module warns for every packet of ours it cannot unprotect.
			if out := b.Output(); strings.Contains(out, "unprotect") || strings.Contains(out, "srtp: ") && strings.Contains(out, "failed") {
				t.Errorf("baresip could not decrypt the door's SRTP:\n%s", out)
			}
			if _, err := a.Controller().Do(context.Background(), door.Command{Op: door.OpHangup}); err != nil {
				t.Fatal(err)
			}
		})
	}
}
