package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/doorsip/intercom/alsa"
	"github.com/doorsip/intercom/alsa/alsatest"
	"github.com/doorsip/intercom/config"
	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/testpeer"
	"github.com/doorsip/intercom/voice"
)

// fakeCards opens, for each call, a simulated card whose capture hears its playback.
type fakeCards struct {
	mu   sync.Mutex
	play *alsatest.PCM
}

func (f *fakeCards) open(name string, dir alsa.Direction, want alsa.Params) (*alsa.PCM, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if dir == alsa.Capture {
		play, rec := alsatest.Loopback(alsatest.VoiceCodec(), nil)
		f.play = play
		return alsa.OpenDevice(rec, name, dir, want)
	}
	return alsa.OpenDevice(f.play, name, dir, want)
}

// TestCtlStatsVoice: a call on sound cards reports the hands-free figures in `intercom ctl
// stats`; one on test devices (TestCtlStats) reports none. A reload that turns the
// processing off applies to the next call, without a restart.
func TestCtlStatsVoice(t *testing.T) {
	pp, cp := testpeer.FreePort(t), testpeer.FreePort(t)
	peer := startUnit(t, "peer", pp, "[call]\nincoming = \"auto\"\n")
	lo, hi := testpeer.RTPRange(t)
	src := fmt.Sprintf("[sip]\nlisten = \"127.0.0.1:%d\"\n[media]\nrtp_ports = \"%d-%d\"\n[audio]\ncapture = \"hw:0,0\"\nplayback = \"hw:0,0\"\n"+
		"echo_tail = \"200ms\"\n[gpio]\nchip = \"sim\"\n[control]\nsocket = \"\"\n", cp, lo, hi)
	cfg, err := config.Parse("caller.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	caller, err := New(cfg, Options{Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Clock: clock.Real{}, OpenPCM: (&fakeCards{}).open})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- caller.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	<-caller.UA().Ready()
	h := ctlHandler{caller}
	if _, err := caller.Controller().Do(ctx, door.Command{Op: "call", Arg: fmt.Sprintf("sip:peer@127.0.0.1:%d", pp)}); err != nil {
		t.Fatal(err)
	}
	// The fake cards do not block, so media paces both loops with the clock and the
	// alignment they give means nothing (internal/audio's TestReferenceAligned checks it on
	// card time); what matters here is that the figures reach the control socket.
	waitUntil(t, 10*time.Second, "hands-free figures", func() bool {
		c := h.Stats().Call
		return c != nil && c.Voice != nil && c.PacketsSent >= 10
	})
	v := h.Stats().Call.Voice
	if v.NoiseDBFS < -96 || v.Resets != 0 {
		t.Errorf("voice stats %+v", *v)
	}
	t.Logf("voice stats %+v", *v)
	if _, err := caller.Controller().Do(ctx, door.Command{Op: "hangup"}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 5*time.Second, "no call in the stats", func() bool { return h.Stats().Call == nil })
	// The peer answers one call at a time: under load its end of the first one can outlast
	// ours, and the second INVITE would find it busy.
	waitUntil(t, 10*time.Second, "the peer idle", func() bool { _, busy := peer.CallStats(); return !busy && !peer.phone.busy() })

	off, err := config.Parse("caller.toml", []byte(strings.Replace(src, "echo_tail = \"200ms\"\n",
		"echo_cancel = \"off\"\nnoise_suppression = \"off\"\nagc = false\n", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if v := off.Audio.Voice; v.Enabled() || v.Echo != voice.EchoOff {
		t.Fatalf("reloaded voice config %+v", v)
	}
	if kept := restartNeeded(cfg, off); len(kept) != 0 {
		t.Errorf("turning the processing off needs a restart of %v", kept)
	}
	if err := caller.Reload(off); err != nil {
		t.Fatal(err)
	}
	if _, err := caller.Controller().Do(ctx, door.Command{Op: "call", Arg: fmt.Sprintf("sip:peer@127.0.0.1:%d", pp)}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 10*time.Second, "a call after the reload", func() bool {
		c := h.Stats().Call
		return c != nil && c.PacketsSent >= 10
	})
	if v := h.Stats().Call.Voice; v != nil {
		t.Errorf("after a reload turning it off the call is still processed: %+v", *v)
	}
	if _, err := caller.Controller().Do(ctx, door.Command{Op: "hangup"}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 5*time.Second, "no call in the stats", func() bool { return h.Stats().Call == nil })
}
