package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/doorsip/intercom/config"
	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/testpeer"
)

// TestDoorThroughKamailio is the first vertical slice against real peers: the door registers
// to Kamailio with digest auth, the bell button calls a baresip phone registered there, the
// phone answers, audio flows both ways, the call ends, and the door unregisters on stop.
func TestDoorThroughKamailio(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Kamailio and baresip")
	}
	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{})
	testpeer.StartBaresip(t, testpeer.BaresipOptions{User: "101", Registrar: k.URI(), Password: "secret", AutoAnswer: true, ToneHz: 660})
	sipPort := testpeer.FreePort(t)
	rtpLo, rtpHi := testpeer.RTPRange(t)
	src := fmt.Sprintf(`
[sip]
listen = "127.0.0.1:%d"
[[account]]
registrar = %q
user = "door"
password = "secret"
[media]
rtp_ports = "%d-%d"
[audio]
capture = "tone:440"
playback = "null"
[gpio]
chip = "sim"
[[button]]
name = "bell"
line = 0
call = ["sip:101@%s"]
[door]
relay_line = 1
dtmf_code = "#1"
[log]
events = %q
[control]
socket = ""
`, sipPort, k.URI(), rtpLo, rtpHi, k.Domain, t.TempDir()+"/events.jsonl")
	cfg, err := config.Parse("door.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := New(cfg, Options{Logger: logger, Clock: clock.Real{}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	stopped := false
	defer func() {
		if !stopped {
			cancel()
			<-done
		}
	}()

	waitUntil(t, 10*time.Second, "door registered", func() bool { return a.Controller().Status().Registered })
	// baresip registers on its own schedule; the bell would get 404 before Kamailio has
	// saved its binding.
	savedContact := regexp.MustCompile(`SAVED at=\S+ contact=<sip:([^@>]+)@\S+;expires=[1-9]`) // Kamailio's Trace log
	waitUntil(t, 10*time.Second, "phone registered", func() bool {
		for _, m := range savedContact.FindAllStringSubmatch(k.Output(), -1) {
			if m[1] != "door" {
				return true
			}
		}
		return false
	})

	sim := a.Board().Sim()
	if err := sim.Press("bell"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	_ = sim.Release("bell")
	waitUntil(t, 10*time.Second, "in call", func() bool { return a.Controller().Status().State == door.InCall })
	waitUntil(t, 10*time.Second, "50 packets each way", func() bool {
		st, ok := a.CallStats()
		return ok && st.PacketsSent >= 50 && st.PacketsReceived >= 50
	})
	st, ok := a.CallStats()
	if !ok {
		t.Fatal("no media session in call")
	}
	t.Logf("door audio: sent %d, received %d packets, recv level %.1f dBFS, lost %d", st.PacketsSent, st.PacketsReceived, st.RecvLevel, st.Lost)
	if st.RecvLevel < -40 {
		t.Errorf("received level %.1f dBFS: the phone's tone did not arrive", st.RecvLevel)
	}
	if _, err := a.Controller().Do(ctx, door.Command{Op: "hangup"}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 5*time.Second, "idle", func() bool { return a.Controller().Status().State == door.Idle })

	cancel()
	stopped = true
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("graceful stop took longer than 3s")
	}
	if sim.Output(door.RelayDoor) {
		t.Error("relay left energised after stop")
	}
}

func waitUntil(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	testpeer.WaitUntil(t, limit, what, cond)
}
