package audio

import (
	"testing"

	"github.com/doorsip/intercom/alsa/alsatest"
	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/media"
)

// TestVoiceOnTestDevices: with VoiceOnTestDevices a tone and null run through the hands-free
// chain (as the bench's voice row needs) and keep their own clock pacing, while a sound card
// beside a test device still gets no processing.
func TestVoiceOnTestDevices(t *testing.T) {
	{
		// The real clock: the pacers' timerfds do not follow a synctest bubble's clock.
		cfg := Defaults()
		cfg.Capture, cfg.Playback, cfg.VoiceOnTestDevices = "tone:440", "null", true
		devs, err := OpenDevices(cfg, Options{Clock: clock.Real{}})
		if err != nil {
			t.Fatal(err)
		}
		defer devs.Close()
		if devs.Voice == nil {
			t.Fatal("tone -> null not processed with VoiceOnTestDevices")
		}
		if !media.ClockPaced(devs.Capture) || !media.ClockPaced(devs.Playback) {
			t.Error("wrapped test devices lost their clock pacing")
		}
		buf := make([]int16, 160)
		loud := 0
		for range 10 {
			if _, err := devs.Capture.Read(buf); err != nil {
				t.Fatal(err)
			}
			if _, err := devs.Playback.Write(buf); err != nil {
				t.Fatal(err)
			}
			for _, v := range buf {
				loud = max(loud, int(v), -int(v))
			}
		}
		if loud == 0 {
			t.Error("the processed tone is silent")
		}
	}
	for _, tt := range []struct{ capture, playback string }{{"tone:440", "hw:0,0"}, {"hw:0,0", "null"}} {
		cfg := Defaults()
		cfg.Capture, cfg.Playback, cfg.VoiceOnTestDevices = tt.capture, tt.playback, true
		cs := &cards{devs: []*alsatest.PCM{alsatest.New(alsatest.VoiceCodec())}}
		devs, err := OpenDevices(cfg, Options{Clock: clock.Real{}, OpenPCM: cs.open})
		if err != nil {
			t.Fatal(err)
		}
		if devs.Voice != nil {
			t.Errorf("%s -> %s: processed", tt.capture, tt.playback)
		}
		devs.Close()
	}
}
