package main

import "math"

// resample evaluates x, sampled at 1, at the times t_k = k*step (in input samples) for
// k < n, with a Kaiser-windowed sinc low-pass at cutoff (a fraction of the input Nyquist,
// below the output's). It serves both the rate change of espeak-ng's 22050 Hz speech and the
// ±100 ppm drift of a second sound card (step 1±1e-4), so it favours accuracy over speed.
func resample(x []float64, step float64, n int, cutoff float64) []float64 {
	const (
		half = 32  // zero crossings of the low-pass each side
		res  = 256 // table points per input sample
		beta = 8.6 // Kaiser window: about 90 dB stop band
	)
	width := float64(half) / cutoff // reach in input samples
	tab := make([]float64, int(width*res)+2)
	i0b := besselI0(beta)
	for i := range tab {
		d := float64(i) / res
		r := min(d/width, 1)
		tab[i] = cutoff * sinc(cutoff*d) * besselI0(beta*math.Sqrt(1-r*r)) / i0b
	}
	y := make([]float64, n)
	for k := range y {
		t := float64(k) * step
		lo := max(int(math.Ceil(t-width)), 0)
		hi := min(int(math.Floor(t+width)), len(x)-1)
		var s float64
		for j := lo; j <= hi; j++ {
			p := math.Abs(float64(j)-t) * res
			i := int(p)
			if i+1 >= len(tab) {
				continue
			}
			f := p - float64(i)
			s += x[j] * (tab[i] + f*(tab[i+1]-tab[i]))
		}
		y[k] = s
	}
	return y
}

// resampleRate converts x from rate in to rate out.
func resampleRate(x []float64, in, out int) []float64 {
	step := float64(in) / float64(out)
	cutoff := 0.95 * math.Min(1, float64(out)/float64(in))
	return resample(x, step, int(float64(len(x))/step), cutoff)
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// besselI0 is the zeroth-order modified Bessel function of the first kind (series).
func besselI0(x float64) float64 {
	s, t := 1.0, 1.0
	for k := 1; k < 50; k++ {
		t *= (x / (2 * float64(k))) * (x / (2 * float64(k)))
		s += t
		if t < 1e-12*s {
			break
		}
	}
	return s
}
