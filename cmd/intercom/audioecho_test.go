package main

import (
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/audio"
	"github.com/doorsip/intercom/voice"
)

func TestPrintEcho(t *testing.T) {
	for _, tt := range []struct {
		name string
		res  audio.EchoResult
		want []string
	}{
		{"fine", audio.EchoResult{Delay: 2500 * time.Microsecond, Queues: 28 * time.Millisecond, CouplingDB: -12.34, Tail: 45 * time.Millisecond, EchoLossDB: 41.2, ERLE: 30.5, Rate: 16000},
			[]string{"echo path: delay 2.5 ms beyond the cards' queues (28.0 ms between the streams), coupling -12.3 dB, needs echo_tail >= 45ms (configured 128ms)",
				"canceller: echo loss 41.2 dB over the last second at 16000 Hz (ERLE estimate 30.5 dB), xruns 0"}},
		{"tail too short", audio.EchoResult{Tail: 180 * time.Millisecond, CouplingDB: -20},
			[]string{`set [audio] echo_tail = "180ms"`}},
		{"too long", audio.EchoResult{Tail: 700 * time.Millisecond, CouplingDB: -20}, []string{"longer than the longest tail (500ms)"}},
		{"coupled", audio.EchoResult{Tail: 20 * time.Millisecond, CouplingDB: 1}, []string{"almost as loud as played"}},
		{"xruns", audio.EchoResult{Tail: 20 * time.Millisecond, CouplingDB: -20, Xruns: 2}, []string{"2 xruns during the measurement"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			printEcho(&b, tt.res, voice.Defaults())
			for _, w := range tt.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("missing %q in:\n%s", w, b.String())
				}
			}
		})
	}
}
