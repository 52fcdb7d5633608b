package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/control"
)

func TestPrintVoiceStats(t *testing.T) {
	start := time.Date(2026, 11, 30, 3, 0, 0, 0, time.Local)
	st := control.Stats{Started: start, Call: &control.CallStats{Remote: "192.0.2.1:4000"}}
	for _, tt := range []struct {
		name  string
		voice *control.VoiceStats
		want  []string
	}{
		{"not processed", nil, []string{"call voice: not processed"}},
		{"converged", &control.VoiceStats{ERLEDB: 31.2, SuppressionDB: 18.5, NoiseDBFS: -62.1, GainDB: 6, Converged: true, DelayMS: 61.3, AlignMS: 56, Resets: 1},
			[]string{"call echo:  ERLE 31.2 dB, suppression 18.5 dB, converged\n",
				"call delay: echo 61.3 ms (56.0 ms of it the cards' queues), realigned 0, xrun resets 1",
				"call mic:   noise -62.1 dBFS, AGC gain 6.0 dB"}},
		{"clipping speaker", &control.VoiceStats{ERLEDB: 40, Converged: true, SpeakerCompressionDB: 8.1},
			[]string{"call speaker: clipping, a -6 dBFS peak plays 8.1 dB lower (turn the playback volume down)\n"}},
		{"two cards", &control.VoiceStats{ERLEDB: 50, Converged: true, DriftPPM: -102.4},
			[]string{"call clocks: capture runs -102.4 ppm from playback (two cards; the echo reference is resampled by it)\n"}},
		{"half duplex", &control.VoiceStats{ERLEDB: 4, HalfDuplex: true},
			[]string{"ERLE 4.0 dB, suppression 0.0 dB, converging, half duplex (mic attenuated while the far end talks)\n"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st.Call.Voice = tt.voice
			var b bytes.Buffer
			printStats(&b, st, start)
			for _, w := range tt.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("missing %q in:\n%s", w, b.String())
				}
			}
		})
	}
}
