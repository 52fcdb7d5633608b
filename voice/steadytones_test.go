package voice

import (
	"math"
	"testing"
	"time"
)

// TestSteadyTonesKeepNearEnd: a far end playing a steady tone and a visitor holding another
// one. Once the resampler reads at a ratio a hair off one (a drift estimate of -0.016 ppm
// was seen in a call), the far end leaks a trace into the visitor's band, far under anything
// audible; both are steady, so their coherence is 1 there. That must not make the visitor's
// tone echo: it was suppressed by 40 dB.
func TestSteadyTonesKeepNearEnd(t *testing.T) {
	for _, rate := range []int{8000, 16000} {
		for _, ratio := range []float64{1, 1 - 1.6e-8, 1 + 1e-6} {
			cfg := Config{Echo: EchoOn, EchoTail: 128 * time.Millisecond, Noise: NoiseOff, AGCTarget: -18, AGCMaxGain: 10}
			p, err := New(cfg, rate)
			if err != nil {
				t.Fatal(err)
			}
			n := p.block
			far, mic, out := make([]int16, n), make([]int16, n), make([]int16, n)
			var near, outNear float64
			secs := 6
			for b := range secs * 100 {
				p.drift.ratio = ratio
				for i := range n {
					k := b*n + i
					x := 8000 * math.Sin(2*math.Pi*400*float64(k)/float64(rate))
					far[i] = int16(x)
					// The echo: the far end 5 ms later at half its level.
					e := 0.5 * 8000 * math.Sin(2*math.Pi*400*float64(k-rate/200)/float64(rate))
					v := 0.0
					if b >= 200 {
						v = 3000 * math.Sin(2*math.Pi*1000*float64(k)/float64(rate))
					}
					mic[i] = int16(e + v)
				}
				if err := p.Process(out, mic, far); err != nil {
					t.Fatal(err)
				}
				if b >= (secs-2)*100 {
					for i := range n {
						k := b*n + i
						c := math.Sin(2 * math.Pi * 1000 * float64(k) / float64(rate))
						near += float64(out[i]) * c
						outNear += c * c
					}
				}
			}
			// The visitor's amplitude in the output: projection on the tone.
			db := 20 * math.Log10(math.Abs(near/outNear)/3000)
			t.Logf("%d Hz, ratio 1%+.1e: visitor %.1f dB, drift %.3f ppm", rate, ratio-1, db, p.Stats().Drift)
			if db < -6 {
				t.Errorf("%d Hz, ratio 1%+.1e: the visitor's tone came through at %.1f dB (want within 6 dB)", rate, ratio-1, db)
			}
		}
	}
}
