package audio

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/doorsip/intercom/alsa/alsatest"
	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/media"
)

// TestClockPaced: every device the [audio] section can name says whether it waits on a clock
// or on a card, since only a card's loop gains from SCHED_FIFO (media.ClockPaced).
func TestClockPaced(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	dir := t.TempDir()
	wav := filepath.Join(dir, "in.wav")
	w, err := media.CreateWAV(wav, media.Format{Rate: 8000, Channels: 1})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(make([]int16, 160))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	play, rec := alsatest.Loopback(alsatest.VoiceCodec(), clk)
	cs := &cards{devs: []*alsatest.PCM{rec}}
	ps := &cards{devs: []*alsatest.PCM{play}}
	for _, tt := range []struct {
		capture, playback string
		want              bool
	}{
		{"silence", "null", true},
		{"tone:440", "file:" + filepath.Join(dir, "out.wav"), true},
		{"file:" + wav, "null", true},
		{"hw:0", "hw:0", false},
	} {
		cfg := Defaults()
		cfg.Capture, cfg.Playback = tt.capture, tt.playback
		c, err := OpenCapture(cfg, Options{Clock: clk, OpenPCM: cs.open})
		if err != nil {
			t.Fatal(err)
		}
		p, err := OpenPlayback(cfg, Options{Clock: clk, OpenPCM: ps.open})
		if err != nil {
			t.Fatal(err)
		}
		if got := media.ClockPaced(c); got != tt.want {
			t.Errorf("capture %s: ClockPaced %v, want %v", tt.capture, got, tt.want)
		}
		if got := media.ClockPaced(p); got != tt.want {
			t.Errorf("playback %s: ClockPaced %v, want %v", tt.playback, got, tt.want)
		}
		c.Close()
		p.Close()
	}
}
