package main

import (
	"math"

	"gonum.org/v1/gonum/dsp/fourier"
)

// thirdOctaves are the centre frequencies of the 1/3-octave bands TS 26.132 weighs echo
// loss over (300-6700 Hz wideband); at 8 kHz the bands end at 3150 Hz.
func thirdOctaves(rate int) []float64 {
	all := []float64{315, 400, 500, 630, 800, 1000, 1250, 1600, 2000, 2500, 3150, 4000, 5000, 6300}
	var c []float64
	for _, f := range all {
		if f*math.Pow(2, 1.0/6) < float64(rate)/2 {
			c = append(c, f)
		}
	}
	return c
}

// weightedEchoLoss is a TCLw-like figure: echo and output power in each 1/3-octave band,
// summed over the echo-only 20 ms blocks from second from on, turned into a per-band loss;
// the bands' linear attenuations are averaged with equal weight per band (equal steps of log
// frequency, as ITU-T G.122 Annex B integrates) and the mean is turned back into dB. A band
// the output leaks in weighs as much as it would for a listener; a band where the echo is
// absent cannot inflate the figure.
func weightedEchoLoss(a *activity, echo, out []float64, from float64, rate int) float64 {
	w, _, _ := bandEchoLoss(a, echo, out, from, rate)
	return w
}

// bandEchoLoss is weightedEchoLoss with the band that lets most echo through: its centre
// frequency and its loss.
func bandEchoLoss(a *activity, echo, out []float64, from float64, rate int) (weighted, worstHz, worstDB float64) {
	n := 2 * a.frame
	fft := fourier.NewFFT(n)
	bands := thirdOctaves(rate)
	binOf := func(f float64) int { return int(math.Round(f * float64(n) / float64(rate))) }
	se, so := make([]float64, len(bands)), make([]float64, len(bands))
	win := make([]float64, n)
	for i := range win {
		win[i] = 0.5 - 0.5*math.Cos(2*math.Pi*(float64(i)+0.5)/float64(n))
	}
	buf := make([]float64, n)
	spec := make([]complex128, n/2+1)
	power := func(x []float64, acc []float64) {
		for i := range buf {
			buf[i] = x[i] * win[i]
		}
		fft.Coefficients(spec, buf)
		for b, fc := range bands {
			lo, hi := binOf(fc*math.Pow(2, -1.0/6)), binOf(fc*math.Pow(2, 1.0/6))
			for k := lo; k < hi && k < len(spec); k++ {
				acc[b] += real(spec[k])*real(spec[k]) + imag(spec[k])*imag(spec[k])
			}
		}
	}
	for blk := int(from * 50); (blk+1)*n <= len(echo) && (blk+1)*n <= len(out); blk++ {
		i := 2 * blk
		if i+1 >= len(a.echoOnly) || !a.echoOnly[i] || !a.echoOnly[i+1] {
			continue
		}
		power(echo[blk*n:(blk+1)*n], se)
		power(out[blk*n:(blk+1)*n], so)
	}
	var mean, worst float64
	for b := range bands {
		if se[b] == 0 {
			return math.NaN(), math.NaN(), math.NaN()
		}
		r := so[b] / se[b]
		mean += r
		if r >= worst {
			worst, worstHz = r, bands[b]
		}
	}
	mean /= float64(len(bands))
	return -10 * math.Log10(mean), worstHz, -10 * math.Log10(worst)
}
