package voice

import (
	"math"
	"testing"
)

// drifted resamples x as a capture card running ppm fast would have recorded it: its k-th
// sample taken at k/(1+ppm) of the playback card's periods (cubic interpolation).
func drifted(x []float64, ppm float64) []float64 {
	y := make([]float64, len(x))
	for k := range y {
		p := float64(k) / (1 + ppm*1e-6)
		i := int(p)
		u := p - float64(i)
		at := func(j int) float64 {
			if j < 0 || j >= len(x) {
				return 0
			}
			return x[j]
		}
		a, b, c, d := at(i-1), at(i), at(i+1), at(i+2)
		y[k] = b + 0.5*u*(c-a+u*(2*a-5*b+4*c-d+u*(3*(b-c)+d-a)))
	}
	return y
}

// Two sound cards: the echo slides against the reference by the cards' clock difference. The
// tracker finds the difference from the filter's motion and the resampler takes it out, so
// the filter sees a still path.
func TestDriftTracked(t *testing.T) {
	for _, tc := range []struct {
		rate int
		ppm  float64
		loss float64 // echo loss over the last 2 s, dB
	}{
		// Measured: 62.9, 49.3 and 63.4 dB; without the tracker 44.4, 43.7 and 33.0 (on
		// noise the filter follows 300 ppm fairly well by itself, speech it does not).
		{16000, 300, 45},
		{16000, -300, 45},
		{8000, 100, 45},
	} {
		rate := tc.rate
		ref := pinkNoise(1, 12*rate, 2000)
		// The capture card's buffering puts the echo 20 ms after the reference, so it stays
		// behind it while drifting earlier.
		echo := drifted(convolve(ref, roomResponse(2, rate, rate/50, rate/10, 0.15, 1)), tc.ppm)
		mic := add(echo, whiteNoise(3, len(ref), 3))
		p := newP(t, echoOnly(), rate)
		out, st := run(t, p, mic, ref)
		last := st[len(st)-1]
		l := lossAt(echo, out, rate, 10, 12)
		t.Logf("%d Hz %+g ppm: estimate %+.1f ppm, echo loss 10-12 s %.1f dB", rate, tc.ppm, last.Drift, l)
		if math.Abs(last.Drift-tc.ppm) > 0.1*math.Abs(tc.ppm) {
			t.Errorf("%d Hz %+g ppm: drift estimated at %+.1f ppm", rate, tc.ppm, last.Drift)
		}
		if l < tc.loss {
			t.Errorf("%d Hz %+g ppm: echo loss %.1f dB in 10-12 s (want >= %g)", rate, tc.ppm, l, tc.loss)
		}
	}
}

// On one sound card the tracker must leave the reference alone.
func TestNoDriftOnOneCard(t *testing.T) {
	rate := 16000
	ref := pinkNoise(1, 8*rate, 2000)
	echo := convolve(ref, roomResponse(2, rate, rate/200, rate/10, 0.15, 1))
	p := newP(t, echoOnly(), rate)
	_, st := run(t, p, add(echo, whiteNoise(3, len(ref), 3)), ref)
	if d := st[len(st)-1].Drift; math.Abs(d) > 2 {
		t.Errorf("drift %+.2f ppm on one card", d)
	}
}

// One sound card: told so, the processor hands the canceller the reference as it is (no
// resampler, a block less latency), runs no drift tracker, and cancels as well.
func TestSharedClock(t *testing.T) {
	for _, rate := range []int{8000, 16000} {
		ref := speechLike(1, 6*rate, rate, 3000)
		echo := convolve(ref, roomResponse(2, rate, rate/200, rate/10, 0.15, 1))
		mic := add(echo, whiteNoise(3, len(ref), 3))
		two, one := newP(t, echoOnly(), rate), newP(t, echoOnly(), rate)
		one.SharedClock()
		if got, want := one.Latency(), two.Latency()-rate/100; got != want {
			t.Errorf("%d Hz: latency %d samples on one card, want %d (a block less than %d)", rate, got, want, two.Latency())
		}
		if got, want := one.Latency(), rate*(BlockMillis+refMarginMillis)/1000; got != want {
			t.Errorf("%d Hz: latency %d samples on one card, want %d (12 ms)", rate, got, want)
		}
		outOne, stOne := run(t, one, mic, ref)
		outTwo, _ := run(t, two, mic, ref)
		lOne, lTwo := lossAt(echo, outOne, rate, 3, 6), lossAt(echo, outTwo, rate, 3, 6)
		t.Logf("%d Hz: echo loss 3-6 s %.1f dB on one card, %.1f with the resampler", rate, lOne, lTwo)
		if lOne < 30 {
			t.Errorf("%d Hz: echo loss %.1f dB in 3-6 s on one card (want >= 30)", rate, lOne)
		}
		for _, s := range stOne {
			if s.Drift != 0 {
				t.Fatalf("%d Hz: drift %+g ppm reported on one card", rate, s.Drift)
			}
		}
		// Once Process has run the latency is fixed: a late call changes nothing.
		one.SharedClock()
		two.SharedClock()
		if two.Latency() != one.Latency()+rate/100 {
			t.Errorf("%d Hz: SharedClock after Process moved the latency to %d", rate, two.Latency())
		}
	}
}
