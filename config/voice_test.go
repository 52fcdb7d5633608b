package config

import (
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/voice"
)

func TestVoiceKeys(t *testing.T) {
	c, err := Load("example.toml")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Audio.Voice, voice.Defaults(); got != want {
		t.Errorf("example.toml's voice settings = %+v, want the defaults %+v", got, want)
	}
	src := "[audio]\necho_cancel = \"half-duplex\"\necho_tail = \"200ms\"\nnoise_suppression = \"high\"\nagc = false\nagc_target = \"-22 dBFS\"\nagc_max_gain = 12\n"
	c, err = Parse("v.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := voice.Config{Echo: voice.EchoHalfDuplex, EchoTail: 200 * time.Millisecond, Noise: voice.NoiseHigh, AGC: false, AGCTarget: -22, AGCMaxGain: 12}
	if c.Audio.Voice != want {
		t.Errorf("voice = %+v, want %+v", c.Audio.Voice, want)
	}
	c, err = Parse("d.toml", []byte("[audio]\ncapture = \"tone:440\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Audio.Voice != voice.Defaults() || c.Audio.VoiceOnTestDevices {
		t.Errorf("a file without the keys gets %+v (on test devices %v), want the defaults", c.Audio.Voice, c.Audio.VoiceOnTestDevices)
	}
	c, err = Parse("b.toml", []byte("[audio]\ncapture = \"tone:440\"\nvoice_on_test_devices = true\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Audio.VoiceOnTestDevices {
		t.Error("voice_on_test_devices = true not read")
	}
}

func TestVoiceKeyErrors(t *testing.T) {
	for _, tt := range []struct{ name, src, want string }{
		{"echo mode", "[audio]\necho_cancel = \"maybe\"\n", "f.toml:2: audio.echo_cancel: unknown mode \"maybe\" (expected off, on, half-duplex)"},
		{"echo mode type", "[audio]\necho_cancel = true\n", "f.toml:2: audio.echo_cancel: is a boolean, expected a string"},
		{"tail too long", "[audio]\n\necho_tail = \"2s\"\n", "f.toml:3: audio.echo_tail: 2s is out of range (expected 20ms to 500ms)"},
		{"tail not a duration", "[audio]\necho_tail = 128\n", "f.toml:2: audio.echo_tail: is an integer, expected a duration"},
		{"noise level", "[audio]\nnoise_suppression = \"max\"\n", "f.toml:2: audio.noise_suppression: unknown level \"max\" (expected off, low, high)"},
		{"agc type", "[audio]\nagc = \"yes\"\n", "f.toml:2: audio.agc: is a string, expected true or false"},
		{"test devices type", "[audio]\n\nvoice_on_test_devices = 1\n", "f.toml:3: audio.voice_on_test_devices: is an integer, expected true or false"},
		{"agc target unit", "[audio]\nagc_target = \"loud\"\n", "f.toml:2: audio.agc_target: \"loud\" is not a level (expected e.g. \"-18dBFS\")"},
		{"agc target range", "[audio]\nagc_target = \"0dBFS\"\n", "f.toml:2: audio.agc_target: 0 dBFS is out of range (expected -40 to -3)"},
		{"agc max gain range", "[audio]\nagc_max_gain = \"60dB\"\n", "f.toml:2: audio.agc_max_gain: 60 dB is out of range (expected 0 to 40)"},
		{"agc max gain NaN", "[audio]\nagc_max_gain = nan\n", "f.toml:2: audio.agc_max_gain:"},
		{"unknown voice key", "[audio]\necho = \"on\"\n", "f.toml:2: audio.echo: unknown key in [audio] (expected one of: capture, playback, volume, mic_gain, period, periods, echo_cancel"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f.toml", []byte(tt.src))
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got:\n%s\nwant a line starting %q", err, tt.want)
			}
		})
	}
}
