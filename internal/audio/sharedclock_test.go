package audio

import (
	"testing"

	"github.com/doorsip/intercom/alsa/alsatest"
)

func TestSameCard(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"hw:0,0", "hw:0,0", true},
		{"hw:0,0", "plughw:0,1", true},
		{"hw:CARD=Loopback,DEV=0", "hw:Loopback,1", true},
		{"hw:0,0", "hw:1,0", false},
		{"hw:0", "hw:PCH", false}, // one card spelt two ways: taken for two
		{"tone:400", "hw:0,0", false},
		{"hw:0,0", "null", false},
	} {
		if got := sameCard(tc.a, tc.b); got != tc.want {
			t.Errorf("sameCard(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// On one card the processor is told so (no drift resampler, a block less latency); on two
// it is not.
func TestSharedClockOnOneCard(t *testing.T) {
	for _, tc := range []struct {
		capture, playback string
		want              bool
	}{
		{"hw:0,0", "hw:0,0", true},
		{"hw:1,0", "hw:0,0", false},
	} {
		cfg := Defaults()
		cfg.Capture, cfg.Playback = tc.capture, tc.playback
		r := newRig(t, alsatest.VoiceCodec(), cfg, 0)
		if r.proc.shared != tc.want {
			t.Errorf("capture %s, playback %s: SharedClock called %v, want %v", tc.capture, tc.playback, r.proc.shared, tc.want)
		}
	}
}
