package main

import (
	"math"
	"testing"
)

// bursts is white noise at unit RMS switched on and off every half second, like speech
// with pauses.
func bursts(n, rate int, seed uint64, phase int) []float64 {
	x := makeNoise(noiseNone, n, rate, seed)
	for i := range x {
		if ((i+phase)/(rate/2))%2 == 1 {
			x[i] = 0
		}
	}
	return x
}

func testSignals(rate int) *signals {
	n := 8 * rate
	sig := &signals{echo: bursts(n, rate, 1, 0), near: make([]float64, n), noise: makeNoise(noiseNone, n, rate, 2)}
	scale(sig.echo, 0.1)
	scale(sig.noise, 1e-5)
	return sig
}

func TestMetricsOnKnownSignals(t *testing.T) {
	const rate = 16000
	sig := testSignals(rate)
	a := newActivity(sig, rate)
	// An output that is the echo 40 dB down: ERLE and echo loss are 40 dB from the start.
	out := make([]float64, len(sig.echo))
	for i := range out {
		out[i] = 0.01 * sig.echo[i]
	}
	c := erleCurve(a, out)
	if len(c) == 0 {
		t.Fatal("empty ERLE curve")
	}
	for _, p := range c {
		if math.Abs(p.v-40) > 0.01 {
			t.Fatalf("ERLE %.2f dB at %.1f s, want 40", p.v, p.t)
		}
	}
	if got := echoLoss(a, out, 2); math.Abs(got-40) > 0.01 {
		t.Errorf("echo loss %.2f dB, want 40", got)
	}
	if got := medianFrom(c, 2); math.Abs(got-40) > 0.01 {
		t.Errorf("median ERLE %.2f dB, want 40", got)
	}
	if got := timeTo(c, 0, 20); math.Abs(got-curveWindow) > 1e-9 {
		t.Errorf("time to 20 dB %.2f s, want the first window's %.1f s", got, curveWindow)
	}
	if got := timeTo(c, 0, 50); !math.IsNaN(got) {
		t.Errorf("time to 50 dB %.2f s, want NaN (never)", got)
	}
}

func TestTimeTo(t *testing.T) {
	c := []point{{0.3, 5}, {0.4, 12}, {0.5, 21}, {0.6, 25}, {5.3, 3}, {5.4, 30}}
	for _, tc := range []struct{ from, db, want float64 }{
		{0, 20, 0.5},
		{0, 10, 0.4},
		{5, 20, 0.4}, // the window 5.1-5.4 s is the first wholly after the change
		{5.2, 20, math.NaN()},
	} {
		got := timeTo(c, tc.from, tc.db)
		if !(math.Abs(got-tc.want) < 1e-9 || math.IsNaN(got) && math.IsNaN(tc.want)) {
			t.Errorf("timeTo(from %.1f, %.0f dB) = %.2f, want %.2f", tc.from, tc.db, got, tc.want)
		}
	}
}

func TestNearAttenuation(t *testing.T) {
	const rate = 16000
	sig := testSignals(rate)
	sig.near = bursts(len(sig.echo), rate, 3, rate/4) // overlaps the echo half the time
	scale(sig.near, 0.05)
	a := newActivity(sig, rate)
	for _, tc := range []struct {
		name string
		gain float64
		lag  int
	}{
		{"kept", 1, 0},
		{"halved", 0.5, 0},
		{"a tenth, one frame late", 0.1, rate / 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The output keeps the near end at gain, delayed by lag, with echo left over:
			// uncorrelated with the near end, it must not move the figure.
			out := make([]float64, len(sig.near))
			for i := range out {
				if i >= tc.lag {
					out[i] = tc.gain*sig.near[i-tc.lag] + 0.3*sig.echo[i-tc.lag]
				}
			}
			if got := peerDelay(sig, out, 2*rate/100); got != tc.lag {
				t.Fatalf("peer delay %d samples, want %d", got, tc.lag)
			}
			out = append(out[tc.lag:], make([]float64, tc.lag)...)
			want := -20 * math.Log10(tc.gain)
			for _, dt := range []bool{false, true} {
				if got := nearAttenuation(a, sig.near, out, dt); math.Abs(got-want) > 0.3 {
					t.Errorf("double talk %v: attenuation %.2f dB, want %.2f", dt, got, want)
				}
			}
		})
	}
}

func TestNoiseReduction(t *testing.T) {
	const rate = 8000
	sig := testSignals(rate)
	a := newActivity(sig, rate)
	out := make([]float64, len(sig.noise))
	for i := range out {
		out[i] = 0.1*sig.noise[i] + sig.echo[i]
	}
	if got := noiseReduction(a, out); math.Abs(got-20) > 0.5 {
		t.Errorf("noise reduction %.2f dB, want 20", got)
	}
}

func TestActiveLevel(t *testing.T) {
	const rate = 16000
	x := bursts(4*rate, rate, 4, 0)
	scale(x, dbToGain(-26))
	if got := activeLevel(x, rate); math.Abs(got+26) > 0.2 {
		t.Errorf("active level %.2f dBFS, want -26 (pauses left out)", got)
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"far end only, box 16k":   "far-end-only-box-16k",
		"delay jump +20 ms 16k":   "delay-jump-plus-20-ms-16k",
		"two cards, -100 ppm 16k": "two-cards-minus-100-ppm-16k",
		"two cards, -300 ppm 16k": "two-cards-minus-300-ppm-16k",
		"echo-path change 8k":     "echo-path-change-8k",
	} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWeightedEchoLoss(t *testing.T) {
	const rate = 16000
	sig := testSignals(rate)
	a := newActivity(sig, rate)
	// 40 dB down everywhere: 40 dB.
	out := make([]float64, len(sig.echo))
	for i := range out {
		out[i] = 0.01 * sig.echo[i]
	}
	if got := weightedEchoLoss(a, sig.echo, out, 2, rate); math.Abs(got-40) > 0.1 {
		t.Errorf("flat 40 dB: %.2f dB", got)
	}
	// 40 dB down but a 1 kHz leak about 22 dB under the echo's level in that band: the
	// leaking band dominates the mean of linear attenuations (about 32 dB), more than it
	// does the broadband figure (about 35 dB).
	for i := range out {
		out[i] += 0.002 * math.Sin(2*math.Pi*1000*float64(i)/rate)
	}
	got := weightedEchoLoss(a, sig.echo, out, 2, rate)
	if got > 34 || got < 29 {
		t.Errorf("with a 1 kHz leak: %.2f dB, want it well under 40", got)
	}
	if bb := echoLoss(a, out, 2); got >= bb {
		t.Errorf("weighted %.1f dB not under broadband %.1f dB for a narrow-band leak", got, bb)
	}
}
