package main

import (
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/doorsip/intercom/alsa/alsatest"
)

func TestRunAudioUsage(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	tests := []struct {
		args []string
		code int
		out  string
	}{
		{nil, 2, "usage: intercom audio"},
		{[]string{"bogus"}, 2, "unknown command"},
		{[]string{"help"}, 0, "usage: intercom audio"},
		{[]string{"test", "-periods", "x"}, 2, "invalid value"},
	}
	for _, tt := range tests {
		var out, errb strings.Builder
		if code := runAudio(tt.args, &out, &errb, log); code != tt.code {
			t.Errorf("runAudio(%q) = %d, want %d (stderr %q)", tt.args, code, tt.code, errb.String())
		}
		if !strings.Contains(out.String()+errb.String(), tt.out) {
			t.Errorf("runAudio(%q) printed %q, want %q", tt.args, out.String()+errb.String(), tt.out)
		}
	}
}

// In the virtual board (INTERCOM_VBOARD=1) list must show the loopback card; elsewhere the
// command must fail cleanly or list what the host has.
func TestRunAudioList(t *testing.T) {
	var out strings.Builder
	code := runAudio([]string{"list"}, &out, io.Discard, slog.New(slog.DiscardHandler))
	if os.Getenv("INTERCOM_VBOARD") == "1" {
		if code != 0 || !strings.Contains(out.String(), "hw:Loopback,0") {
			t.Fatalf("audio list = %d:\n%s", code, out.String())
		}
		t.Logf("\n%s", out.String())
	} else if code != 0 && code != 1 {
		t.Fatalf("audio list = %d", code)
	}
}

// In the virtual board, `intercom audio test` on the aloop twins must report a round trip.
func TestRunAudioTestVboard(t *testing.T) {
	alsatest.NeedVboard(t)
	var out, errb strings.Builder
	code := runAudio([]string{"test", "-config", "/nonexistent", "-capture", "hw:Loopback,1", "-playback", "hw:Loopback,0"},
		&out, &errb, slog.New(slog.DiscardHandler))
	if code != 0 || !strings.Contains(out.String(), "round trip") {
		t.Fatalf("audio test = %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
	t.Logf("\n%s", out.String())
}
