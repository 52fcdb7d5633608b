package tone

import (
	"math"
	"slices"
)

// SNR returns how far the power at hz stands above everything else in x, in dB.
// The tone's power comes from a Goertzel filter (one DFT bin, no FFT needed); the rest is
// the total power minus the tone's, so noise, distortion and other tones all count against
// it. A pure tone in 16-bit samples gives well over 60 dB; the checks ask for 30 dB, what a call through a real card holds.
func SNR(x []int16, rate, hz int) float64 {
	n := len(x)
	if n == 0 || rate <= 0 {
		return math.Inf(-1)
	}
	// A Hann window keeps the leakage of a bin that is not an integer multiple of
	// rate/n from being counted as noise.
	w := 2 * math.Pi * float64(hz) / float64(rate)
	coeff := 2 * math.Cos(w)
	span := float64(max(n-1, 1))
	var s1, s2, total, wsum, hs float64
	for i, v := range x {
		h := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/span)
		f := float64(v) * h
		s0 := f + coeff*s1 - s2
		s2, s1 = s1, s0
		total += f * f
		wsum += h * h
		hs += h
	}
	// |X(k)|^2 of the windowed block; a tone of amplitude A carries A^2/2 per sample on
	// average, and the windowed bin holds (A*sum(h)/2)^2, hence the scaling below.
	pk := s1*s1 + s2*s2 - coeff*s1*s2
	sig := 2 * pk / (hs * hs) * wsum // power of the tone within the windowed block
	noise := total - sig
	if sig <= 0 {
		return math.Inf(-1)
	}
	// Floor the noise at one LSB^2 per sample so a perfect tone gives a finite figure.
	if floor := wsum / 12; noise < floor {
		noise = floor
	}
	return 10 * math.Log10(sig/noise)
}

// RMS returns the root mean square of x in sample units.
func RMS(x []int16) float64 {
	if len(x) == 0 {
		return 0
	}
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(len(x)))
}

// SteadySNR scores a recording in windows of win samples (half-overlapping) and returns the
// median SNR at hz over the windows that carry sound (RMS above minRMS), and how many did.
// A call's recording starts and ends with silence (jitter buffer filling, hangup) and may
// hold short gaps; the median of the loud windows is what a listener hears in steady state.
func SteadySNR(x []int16, rate, hz, win int, minRMS float64) (float64, int) {
	var s []float64
	for i := 0; win > 0 && i+win <= len(x); i += win / 2 {
		w := x[i : i+win]
		if RMS(w) >= minRMS {
			s = append(s, SNR(w, rate, hz))
		}
	}
	if len(s) == 0 {
		return math.Inf(-1), 0
	}
	slices.Sort(s)
	return s[len(s)/2], len(s)
}
