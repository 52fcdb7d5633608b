package main

import (
	"math"
	"os"
	"os/exec"
	"testing"
)

// lagOf is the lag (0 to maxLag samples) at which y best matches x over [from, to).
func lagOf(x, y []float64, from, to, maxLag int) int {
	best, bestC := 0, math.Inf(-1)
	for lag := 0; lag <= maxLag; lag++ {
		var c float64
		for i := from; i < to; i++ {
			c += x[i] * y[i+lag]
		}
		if c > bestC {
			best, bestC = lag, c
		}
	}
	return best
}

func TestRenderEcho(t *testing.T) {
	const rate = 16000
	far := makeNoise(noiseNone, 12*rate, rate, 7)
	scale(far, dbToGain(-22))
	base := scenario{rate: rate, seconds: 12, path: pathBox, farDB: -22, couplingDB: -6}
	plain := base.renderEcho(far)
	if got := activeLevel(plain, rate); math.Abs(got-(-28)) > 0.1 {
		t.Errorf("echo level %.2f dBFS, want -28 (reference -22, coupling -6)", got)
	}

	// A capture card 100 ppm fast: 11 s in, the echo has slipped 1.1 ms (17.6 samples) later.
	drift := base
	drift.driftPPM = 100
	d := drift.renderEcho(far)
	if got := lagOf(plain, d, 11*rate, 11*rate+4000, 64); math.Abs(float64(got)-17.6) > 1 {
		t.Errorf("drift after 11 s: %d samples, want 17-18", got)
	}
	if got := lagOf(plain, d, rate, rate+4000, 64); got > 2 {
		t.Errorf("drift after 1 s: %d samples, want 0-2", got)
	}

	// A delay jump: from changeAt on, the same path 20 ms later.
	jump := base
	jump.change, jump.changeAt = changeDelay, 6
	j := jump.renderEcho(far)
	if got := lagOf(plain, j, 8*rate, 8*rate+4000, 400); got != rate/50 {
		t.Errorf("after the jump the echo lags by %d samples, want %d", got, rate/50)
	}
	if got := lagOf(plain, j, 3*rate, 3*rate+4000, 400); got != 0 {
		t.Errorf("before the jump the echo lags by %d samples, want 0", got)
	}

	// A path change keeps the level (same panel, same scale) but not the response.
	path := base
	path.change, path.changeAt = changePath, 6
	p := path.renderEcho(far)
	if got, want := activeLevel(p[8*rate:], rate), activeLevel(plain[8*rate:], rate); math.Abs(got-want) > 3 {
		t.Errorf("after the path change the echo is at %.1f dBFS, before %.1f", got, want)
	}
	var diff, sum float64
	for i := 8 * rate; i < 9*rate; i++ {
		diff += (p[i] - plain[i]) * (p[i] - plain[i])
		sum += plain[i] * plain[i]
	}
	if diff < 0.01*sum {
		t.Errorf("the path change left the echo within %.1f dB of the old path", 10*math.Log10(diff/sum))
	}
}

func TestClipping(t *testing.T) {
	const rate = 16000
	far := make([]float64, rate)
	for i := range far {
		far[i] = 0.5 * math.Sin(2*math.Pi*440*float64(i)/rate)
	}
	s := scenario{rate: rate, seconds: 1, path: pathBeside, farDB: -9, couplingDB: 0, clip: true}
	lin := s
	lin.clip = false
	// Same level at the mic, but the clipped echo has lost its crest: peak over RMS is lower.
	crest := func(x []float64) float64 {
		var p float64
		for _, v := range x[rate/2:] {
			p = math.Max(p, math.Abs(v))
		}
		return p / rms(x[rate/2:])
	}
	spk := make([]float64, len(far))
	for i, v := range far {
		spk[i] = math.Tanh(5*v) / 5
	}
	if c := crest(spk); c > 0.9*crest(far) {
		t.Errorf("tanh speaker crest %.2f, sine %.2f: not clipping", c, crest(far))
	}
	if a, b := s.renderEcho(far), lin.renderEcho(far); rms(a) == rms(b) {
		t.Error("clipping did not change the echo")
	}
}

// TestScenarioLevels builds every scenario of the smoke run from espeak-ng speech and checks
// the levels it was asked for.
func TestScenarioLevels(t *testing.T) {
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		if os.Getenv("INTERCOM_REQUIRE_PEERS") != "" {
			t.Fatal("espeak-ng is not installed (scripts/deps.sh installs it)")
		}
		t.Skip("espeak-ng is not installed")
	}
	for _, s := range scenarios(true) {
		sig, err := s.build(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if s.far != "" {
			if got := activeLevel(sig.far, s.rate); math.Abs(got-s.farDB) > 0.1 {
				t.Errorf("%s: far end at %.1f dBFS, want %.1f", s, got, s.farDB)
			}
			if got := activeLevel(sig.echo, s.rate); math.Abs(got-(s.farDB+s.couplingDB)) > 0.1 {
				t.Errorf("%s: echo at %.1f dBFS, want %.1f", s, got, s.farDB+s.couplingDB)
			}
		}
		if s.near != "" {
			from := int(s.nearFrom * float64(s.rate))
			if got := activeLevel(sig.near[from:], s.rate); math.Abs(got-s.nearDB) > 0.1 {
				t.Errorf("%s: near end at %.1f dBFS, want %.1f", s, got, s.nearDB)
			}
		}
		if s.noise != noiseNone {
			if got := s.nearDB - 20*math.Log10(rms(sig.noise)); math.Abs(got-s.snr) > 0.2 {
				t.Errorf("%s: SNR %.1f dB, want %.1f", s, got, s.snr)
			}
		}
	}
}
