package tone

import (
	"math"
	"slices"
)

// Level returns the level of the tone at hz in x, in dBFS of its peak amplitude (a full-scale
// sine is 0 dBFS, a sine of amplitude 3277 about -20 dBFS), whatever else x carries. An echo
// check needs levels rather than SNR: the residual of one tone is measured beside another.
func Level(x []int16, rate, hz int) float64 {
	n := len(x)
	if n == 0 || rate <= 0 {
		return math.Inf(-1)
	}
	// Hann window as in SNR: another tone a few hundred Hz away leaks nothing measurable.
	w := 2 * math.Pi * float64(hz) / float64(rate)
	coeff := 2 * math.Cos(w)
	span := float64(max(n-1, 1))
	var s1, s2, hs float64
	for i, v := range x {
		h := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/span)
		s0 := float64(v)*h + coeff*s1 - s2
		s2, s1 = s1, s0
		hs += h
	}
	pk := s1*s1 + s2*s2 - coeff*s1*s2 // |X(k)|^2 = (A*sum(h)/2)^2
	if pk <= 0 || hs == 0 {
		return math.Inf(-1)
	}
	amp := 2 * math.Sqrt(pk) / hs
	return 20 * math.Log10(amp/32768)
}

// SteadyLevel returns the median Level at hz over the half-overlapping windows of win
// samples that carry sound (RMS at least minRMS), and how many did: a stall or an xrun
// spoils a window or two, not the figure.
func SteadyLevel(x []int16, rate, hz, win int, minRMS float64) (float64, int) {
	var s []float64
	for i := 0; win > 0 && i+win <= len(x); i += win / 2 {
		if w := x[i : i+win]; RMS(w) >= minRMS {
			s = append(s, Level(w, rate, hz))
		}
	}
	if len(s) == 0 {
		return math.Inf(-1), 0
	}
	slices.Sort(s)
	return s[len(s)/2], len(s)
}
