//go:build linux

package audio

// Real-kernel tests against snd-aloop, run inside the virtual board
// (hwtest/vboard/run.sh ARCH --scenario tests sets INTERCOM_VBOARD=1 and loads snd-aloop as
// cards "Loopback" and "Speaker", one substream each). The unplug test takes card "Speaker"
// away through sysfs (unbind, what a USB unplug does to the card) and brings it back with
// bind; INTERCOM_VBOARD_MODDIR is not needed here (alsa's own test does the rmmod/insmod).

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/doorsip/intercom/alsa"
	"github.com/doorsip/intercom/alsa/alsatest"
	"github.com/doorsip/intercom/internal/clock"
)

func TestVboardRoundTrip(t *testing.T) {
	alsatest.NeedVboard(t)
	for _, tc := range []TestConfig{{}, {Period: 10 * time.Millisecond, Periods: 3}} {
		var res Result
		var period time.Duration
		// A run with an xrun saw the TCG guest stall (a loaded host): its round trip says
		// nothing about the path, so it is measured again, up to 3 times in all.
		for attempt := 1; ; attempt++ {
			var err error
			res, err = Test(context.Background(), "hw:Loopback,1", "hw:Loopback,0", tc)
			if err != nil {
				t.Fatal(err)
			}
			period = time.Duration(res.Playback.PeriodFrames) * time.Second / time.Duration(res.Playback.Rate)
			inBounds := res.RoundTrip >= period/2 && res.RoundTrip <= 5*period
			if inBounds || res.Xruns == 0 || attempt == 3 {
				break
			}
			t.Logf("attempt %d: round trip %v with %d xruns: measured again", attempt, res.RoundTrip, res.Xruns)
		}
		t.Logf("aloop %v x%d: round trip %v (playback queue %v), peak %d, xruns %d, %+v",
			period, res.Playback.Periods, res.RoundTrip, res.Queued, res.Peak, res.Xruns, res.Playback)
		// Two periods are queued ahead of the burst; the capture period adds at most one
		// more. Allow a period of scheduling slack under TCG.
		// The floor is half a period, not one: the burst is found to the sample but the
		// period boundaries it is timed against jitter on a TCG guest (19.8 ms was seen).
		if res.RoundTrip < period/2 || res.RoundTrip > 5*period {
			t.Errorf("round trip %v outside [%v, %v]", res.RoundTrip, period/2, 5*period)
		}
		if res.Peak < 15000 {
			t.Errorf("peak %d: the loopback should be bit-exact", res.Peak)
		}
		if f := os.Getenv("VBOARD_FIGURES"); f != "" && tc.Period == 0 {
			line := "audio_roundtrip_ms=" + strconv.FormatFloat(float64(res.RoundTrip.Microseconds())/1000, 'f', 1, 64) + "\n"
			if fh, err := os.OpenFile(f, os.O_APPEND|os.O_WRONLY, 0); err == nil {
				fh.WriteString(line)
				fh.Close()
			}
		}
	}
}

func TestVboardPlaybackSurvivesUnplug(t *testing.T) {
	alsatest.NeedVboard(t)
	cfg := Defaults()
	cfg.Playback = "hw:Speaker,0"
	p, err := OpenPlayback(cfg, Options{Clock: clock.Real{}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	buf := make([]int16, 160*p.Format().Channels)
	dev := cardDevice(t, "Speaker")
	unbound := make(chan error, 1)
	go func() {
		unbound <- os.WriteFile("/sys/bus/platform/drivers/snd_aloop/unbind", []byte(dev), 0)
	}()
	defer os.WriteFile("/sys/bus/platform/drivers/snd_aloop/bind", []byte(dev), 0)
	// Keep writing through the unplug: no write may fail, and the pace must stay near real
	// time (the stand-in waits a period per write).
	start := time.Now()
	const writes = 50 // one second of audio
	for i := range writes {
		if _, err := p.Write(buf); err != nil {
			t.Fatalf("write %d while unplugging: %v", i, err)
		}
	}
	if err := <-unbound; err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 700*time.Millisecond {
		t.Errorf("%d writes took %v: not paced while the card is gone", writes, el)
	}
	if err := os.WriteFile("/sys/bus/platform/drivers/snd_aloop/bind", []byte(dev), 0); err != nil {
		t.Fatal(err)
	}
	// The first retry is 200 ms after the loss; backoff doubles up to 1 s.
	deadline := time.Now().Add(8 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := p.Write(buf); err != nil {
			t.Fatal(err)
		}
		if hd, ok := p.(*hwDevice); ok && hd.hasPCM() {
			return
		}
	}
	t.Fatal("the card came back but was not reopened within 8 s")
}

// cardDevice is the platform device name (snd_aloop.N) behind a card id.
func cardDevice(t *testing.T, id string) string {
	cards, err := alsa.Cards()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cards {
		if c.ID == id {
			link, err := filepath.EvalSymlinks("/sys/class/sound/card" + strconv.Itoa(c.Index) + "/device")
			if err != nil {
				t.Fatal(err)
			}
			return filepath.Base(link)
		}
	}
	t.Fatalf("no card %q", id)
	return ""
}
