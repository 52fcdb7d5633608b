package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/doorsip/intercom/config"
	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/testpeer"
)

// startUnit runs one userless intercom on loopback with the given extra config.
func startUnit(t *testing.T, name string, port, rtp int, extra string) *App {
	t.Helper()
	src := fmt.Sprintf(`
[sip]
listen = "127.0.0.1:%d"
[media]
rtp_ports = "%d-%d"
[audio]
capture = "tone:440"
playback = "null"
[gpio]
chip = "sim"
[control]
socket = ""
%s`, port, rtp, rtp+20, extra)
	cfg, err := config.Parse(name+".toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(cfg, Options{Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})).With("unit", name), Clock: clock.Real{}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("%s: Run: %v", name, err)
		}
	})
	select {
	case <-a.UA().Ready():
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: SIP not listening", name)
	}
	return a
}

func TestSRTPCall(t *testing.T) {
	tests := []struct {
		name         string
		caller, peer string
		wantInCall   bool
	}{
		{"mandatory to optional", "mandatory", "optional", true},
		{"optional to off", "optional", "off", true},
		{"mandatory to off", "mandatory", "off", false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pp := testpeer.FreePort(t)
			cp := testpeer.FreePort(t)
			base := 32000 + i*200
			peer := startUnit(t, "peer", pp, base, "[call]\nincoming = \"auto\"\n")
			peer.cfg.Media.SRTP = tt.peer
			peer.phone.setMedia(peer.cfg.Media, peer.cfg.Audio)
			caller := startUnit(t, "caller", cp, base+100, "")
			caller.cfg.Media.SRTP = tt.caller
			caller.phone.setMedia(caller.cfg.Media, caller.cfg.Audio)

			ctx := context.Background()
			if _, err := caller.Controller().Do(ctx, door.Command{Op: "call", Arg: fmt.Sprintf("sip:peer@127.0.0.1:%d", pp)}); err != nil {
				t.Fatal(err)
			}
			if !tt.wantInCall {
				// The peer answers in plain RTP; the caller must not carry the call unprotected.
				time.Sleep(1500 * time.Millisecond)
				if _, ok := caller.CallStats(); ok {
					t.Fatal("media runs although SRTP is mandatory and the peer refused it")
				}
				waitUntil(t, 5*time.Second, "caller idle", func() bool { return caller.Controller().Status().State == door.Idle })
				return
			}
			waitUntil(t, 5*time.Second, "caller in call", func() bool { return caller.Controller().Status().State == door.InCall })
			// A loaded machine delays the first packets; wait for a second's worth.
			waitUntil(t, 10*time.Second, "50 packets received", func() bool {
				st, ok := caller.CallStats()
				return ok && st.PacketsReceived >= 50
			})
			st, _ := caller.CallStats()
			if st.RecvLevel < -30 || st.Invalid > 0 {
				t.Fatalf("caller audio: %+v", st)
			}
			t.Logf("%s: received %d packets at %.1f dBFS, invalid %d", tt.name, st.PacketsReceived, st.RecvLevel, st.Invalid)
			if _, err := caller.Controller().Do(ctx, door.Command{Op: "hangup"}); err != nil {
				t.Fatal(err)
			}
			waitUntil(t, 5*time.Second, "peer idle", func() bool { return peer.Controller().Status().State == door.Idle })
		})
	}
}
