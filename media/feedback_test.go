package media

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/doorsip/intercom/internal/cfgerr"
)

func writeWAV(t *testing.T, dir, name string, f Format, n int) string {
	t.Helper()
	s := make([]int16, n*f.Channels)
	for i := range s {
		s[i] = int16(i % 1000)
	}
	b := wavHeader(f, int64(2*len(s)))
	for _, v := range s {
		b = append(b, byte(v), byte(uint16(v)>>8))
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadFeedback(t *testing.T) {
	dir := t.TempDir()
	writeWAV(t, dir, "8k.wav", Format{Rate: 8000, Channels: 1}, 800)
	writeWAV(t, dir, "16k.wav", Format{Rate: 16000, Channels: 2}, 1600)
	writeWAV(t, dir, "48k.wav", Format{Rate: 48000, Channels: 1}, 4800)
	writeWAV(t, dir, "44k.wav", Format{Rate: 44100, Channels: 1}, 4410)
	os.WriteFile(filepath.Join(dir, "junk.wav"), []byte("RIFF0000WAVEjunk"), 0o644)
	tests := []struct {
		name    string
		spec    string
		volume  int
		wantKey string // the key named in the error; "" = loads
	}{
		{"off", "off", 50, ""},
		{"builtin", "builtin", 50, ""},
		{"8 kHz", "8k.wav", 50, ""},
		{"16 kHz stereo", "16k.wav", 50, ""},
		{"48 kHz absolute", filepath.Join(dir, "48k.wav"), 100, ""},
		{"44.1 kHz", "44k.wav", 50, "busy"},
		{"not a WAV", "junk.wav", 50, "busy"},
		{"missing", "nothere.wav", 50, "busy"},
		{"a directory", ".", 50, "busy"},
		{"a device", "/dev/null", 50, "busy"},
		{"volume", "builtin", 101, "volume"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := FeedbackDefaults()
			c.Dir, c.Busy, c.Volume = dir, tt.spec, tt.volume
			p, err := LoadFeedback(c)
			if tt.wantKey == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got, want := p.Has(FeedbackBusy), tt.spec != "off"; got != want {
					t.Errorf("Has(busy) = %v, want %v", got, want)
				}
				return
			}
			var fe *cfgerr.Field
			if !errors.As(err, &fe) || fe.Key != tt.wantKey {
				t.Fatalf("err = %v, want a field error for %q", err, tt.wantKey)
			}
		})
	}
}

// TestFeedbackRender: every sound renders at the device rates the door uses, with the
// length its source has and the same sample on every channel.
func TestFeedbackRender(t *testing.T) {
	c := FeedbackConfig{Ringback: "builtin", Busy: "builtin", NoAnswer: "builtin", Failed: "builtin", DoorOpen: "builtin", CallEnd: "builtin", Volume: 100}
	p, err := LoadFeedback(c)
	if err != nil {
		t.Fatal(err)
	}
	for k := FeedbackRingback; k < feedbackKinds; k++ {
		for _, f := range []Format{{Rate: 8000, Channels: 1}, {Rate: 16000, Channels: 1}, {Rate: 48000, Channels: 2}} {
			s := p.Render(k, f)
			src := p.sounds[k]
			// In int64: 5 s of samples times 48000 overflows a 32-bit int (arm v6/v7).
			want := int(int64(len(src.samples)) * int64(f.Rate) / int64(src.rate) * int64(f.Channels))
			if len(s) < want-f.Channels*6 || len(s) > want+f.Channels*6 {
				t.Errorf("%s at %v: %d samples, want about %d", k, f, len(s), want)
			}
			var peak int16
			for i, v := range s {
				peak = max(peak, v)
				if f.Channels == 2 && i%2 == 1 && s[i-1] != v {
					t.Fatalf("%s: channels differ at %d", k, i)
				}
			}
			if peak < 8000 {
				t.Errorf("%s at %v: peak %d, expected an audible sound", k, f, peak)
			}
		}
	}
	if p.Render(FeedbackBusy, Format{Rate: 44100, Channels: 1}) != nil {
		t.Error("44.1 kHz device: rendered, want nil (no integer ratio)")
	}
	half, _ := LoadFeedback(FeedbackConfig{Busy: "builtin", Volume: 50})
	a, b := p.Render(FeedbackBusy, Format{Rate: 8000, Channels: 1}), half.Render(FeedbackBusy, Format{Rate: 8000, Channels: 1})
	if a[400] == 0 || b[400] != int16(float64(a[400])*0.5) {
		t.Errorf("volume 50: sample %d, want half of %d", b[400], a[400])
	}
}
