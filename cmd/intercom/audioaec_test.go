package main

import (
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/doorsip/intercom/media"
)

func writeWAV(t *testing.T, path string, f media.Format, s []int16) {
	t.Helper()
	w, err := media.CreateWAV(path, f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(s); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestRunAudioAEC(t *testing.T) {
	dir := t.TempDir()
	far, mic := make([]int16, 32000), make([]int16, 32000)
	for i := range far {
		far[i] = int16(6000 * math.Sin(float64(i)*0.37) * math.Sin(float64(i)*0.0013))
		if i >= 80 {
			mic[i] = far[i-80] / 2 // 5 ms later, 6 dB down
		}
	}
	mono16 := media.Format{Rate: 16000, Channels: 1}
	writeWAV(t, filepath.Join(dir, "far.wav"), mono16, far)
	writeWAV(t, filepath.Join(dir, "mic.wav"), mono16, mic)
	writeWAV(t, filepath.Join(dir, "cd.wav"), media.Format{Rate: 44100, Channels: 1}, make([]int16, 4410))
	p := func(n string) string { return filepath.Join(dir, n) }
	log := slog.New(slog.DiscardHandler)
	for _, tt := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"processes", []string{"aec", "-far", p("far.wav"), "-mic", p("mic.wav"), "-out", p("out.wav"), "-tail", "64ms"}, 0,
			"processed 2.00 s at 16000 Hz (echo on, tail 64ms, noise low, agc true)"},
		{"all off", []string{"aec", "-far", p("far.wav"), "-mic", p("mic.wav"), "-out", p("off.wav"), "-echo", "off", "-noise", "off", "-agc=false"}, 0,
			"final: ERLE 0.0 dB"},
		{"missing flag", []string{"aec", "-far", p("far.wav"), "-mic", p("mic.wav")}, 2, "usage: intercom audio aec"},
		{"bad mode", []string{"aec", "-far", p("far.wav"), "-mic", p("mic.wav"), "-out", p("x.wav"), "-echo", "max"}, 2,
			`-echo "max" (expected off, on, half-duplex)`},
		{"bad tail", []string{"aec", "-far", p("far.wav"), "-mic", p("mic.wav"), "-out", p("x.wav"), "-tail", "2s"}, 2, "echo_tail: 2s is out of range"},
		{"44.1 kHz", []string{"aec", "-far", p("cd.wav"), "-mic", p("mic.wav"), "-out", p("x.wav")}, 1,
			"far end 44100 Hz, microphone 16000 Hz (expected 8000 or 16000 Hz"},
		{"not a wav", []string{"aec", "-far", p("far.wav"), "-mic", p("nothing.wav"), "-out", p("x.wav")}, 1, "no such file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb strings.Builder
			if code := runAudio(tt.args, &out, &errb, log); code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errb.String())
			}
			if got := out.String() + errb.String(); !strings.Contains(got, tt.want) {
				t.Errorf("printed %q, want %q", got, tt.want)
			}
		})
	}
	b, err := os.ReadFile(p("off.wav"))
	if err != nil {
		t.Fatal(err)
	}
	f, s, err := media.ParseWAV(b)
	if err != nil || f != mono16 || len(s) != len(mic) {
		t.Fatalf("off.wav: %+v, %d samples, %v", f, len(s), err)
	}
	for i := range s {
		if s[i] != mic[i] {
			t.Fatalf("with everything off sample %d is %d, mic %d", i, s[i], mic[i])
		}
	}
}
