package audio

import (
	"testing"
	"time"

	"github.com/doorsip/intercom/alsa"
	"github.com/doorsip/intercom/alsa/alsatest"
	"github.com/doorsip/intercom/internal/clock"
)

// The media loop calls Read and Write every period; the hw: path must not allocate.
func TestHWPathDoesNotAllocate(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	play, rec := alsatest.Loopback(alsatest.VoiceCodec(), clk)
	cs := &cards{devs: []*alsatest.PCM{rec}}
	ps := &cards{devs: []*alsatest.PCM{play}}
	cfg := Defaults()
	c, err := OpenCapture(cfg, Options{Clock: clk, OpenPCM: cs.open})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p, err := OpenPlayback(cfg, Options{Clock: clk, OpenPCM: ps.open})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	buf := make([]int16, 160)
	// Warm up: the fake's own buffers grow on the first calls.
	for range 4 {
		p.Write(buf)
		c.Read(buf)
	}
	if a := testing.AllocsPerRun(50, func() {
		if _, err := c.Read(buf); err != nil {
			t.Fatal(err)
		}
	}); a != 0 {
		t.Errorf("capture Read allocates %v per call", a)
	}
}

func BenchmarkHWCaptureRead(b *testing.B) {
	dev := alsatest.New(alsatest.VoiceCodec())
	cs := &cards{devs: []*alsatest.PCM{dev}}
	c, err := OpenCapture(Defaults(), Options{OpenPCM: cs.open})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	buf := make([]int16, 160)
	b.ReportAllocs()
	for b.Loop() {
		c.Read(buf)
	}
}

func FuzzConfigValidate(f *testing.F) {
	for _, s := range []string{"hw:0,0", "hw:Loopback,1", "tone:440", "tone:x", "file:a.wav", "silence", "null", ""} {
		f.Add(s, s, 50)
	}
	f.Fuzz(func(t *testing.T, capture, playback string, vol int) {
		cfg := Defaults()
		cfg.Capture, cfg.Playback, cfg.Volume = capture, playback, vol
		err := cfg.Validate()
		// What validates as hw: must parse as an ALSA name, so OpenPCM cannot be surprised.
		if err == nil && ParseSpec(capture).Kind == "hw" {
			if _, perr := alsa.ParseName(capture); perr != nil {
				t.Fatalf("valid config, unparsable ALSA name %q: %v", capture, perr)
			}
		}
	})
}
