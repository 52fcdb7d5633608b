package voice

import (
	"math"
	"math/rand/v2"
)

// Test signals: fixed seeds, int16 scale, float64 samples.

func whiteNoise(seed uint64, n int, rms float64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 7))
	x := make([]float64, n)
	for i := range x {
		x[i] = rms * rng.NormFloat64()
	}
	return x
}

// pinkNoise is white noise through a three-pole approximation of a 1/f filter.
func pinkNoise(seed uint64, n int, rms float64) []float64 {
	w := whiteNoise(seed, n, 1)
	var b0, b1, b2 float64
	x := make([]float64, n)
	for i, v := range w {
		b0 = 0.99765*b0 + v*0.0990460
		b1 = 0.96300*b1 + v*0.2965164
		b2 = 0.57000*b2 + v*1.0526913
		x[i] = b0 + b1 + b2 + v*0.1848
	}
	return scaleRMS(x, rms)
}

// speechLike is a talker: voiced syllables (a glottal pulse train with a wandering pitch
// through two formant resonators) and unvoiced bursts, with pauses between them.
func speechLike(seed uint64, n, rate int, rms float64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 11))
	x := make([]float64, n)
	i := 0
	phase := 0.0
	var f1, f2 resonator
	for i < n {
		syl := int(float64(rate) * (0.12 + 0.2*rng.Float64()))
		pause := int(float64(rate) * (0.03 + 0.15*rng.Float64()))
		if rng.IntN(6) == 0 {
			pause += rate / 3
		}
		voiced := rng.IntN(4) != 0
		f0 := 90 + 120*rng.Float64()
		f1.set(300+500*rng.Float64(), 80, rate)
		f2.set(900+1600*rng.Float64(), 120, rate)
		amp := 0.5 + rng.Float64()
		for k := 0; k < syl && i < n; k++ {
			env := amp * math.Sin(math.Pi*float64(k)/float64(syl))
			var s float64
			if voiced {
				phase += (f0 * (1 + 0.1*math.Sin(float64(k)/float64(rate)*9))) / float64(rate)
				if phase >= 1 {
					phase--
					s = 1
				}
				s += 0.02 * rng.NormFloat64()
			} else {
				s = 0.3 * rng.NormFloat64()
			}
			x[i] = env * (f1.step(s) + 0.5*f2.step(s))
			i++
		}
		i += pause
	}
	return scaleRMS(x, rms)
}

type resonator struct{ a1, a2, y1, y2 float64 }

func (r *resonator) set(f, bw float64, rate int) {
	rad := math.Exp(-math.Pi * bw / float64(rate))
	r.a1 = 2 * rad * math.Cos(2*math.Pi*f/float64(rate))
	r.a2 = -rad * rad
}

func (r *resonator) step(x float64) float64 {
	y := x + r.a1*r.y1 + r.a2*r.y2
	r.y2, r.y1 = r.y1, y
	return y
}

func scaleRMS(x []float64, rms float64) []float64 {
	var e float64
	for _, v := range x {
		e += v * v
	}
	g := rms / math.Sqrt(e/float64(len(x))+1e-30)
	for i := range x {
		x[i] *= g
	}
	return x
}

// roomResponse is an echo path: a direct sound after delay samples, then exponentially
// decaying reflections (rt60 seconds) up to length samples, with gain as its total energy gain.
func roomResponse(seed uint64, rate int, delay, length int, rt60, gain float64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 13))
	h := make([]float64, delay+length)
	h[delay] = 1
	decay := 6.9 / (rt60 * float64(rate))
	for i := 1; i < length; i++ {
		h[delay+i] += 0.4 * rng.NormFloat64() * math.Exp(-decay*float64(i)) * math.Min(1, float64(i)/float64(rate/1000+1))
	}
	var e float64
	for _, v := range h {
		e += v * v
	}
	g := gain / math.Sqrt(e)
	for i := range h {
		h[i] *= g
	}
	return h
}

func convolve(x, h []float64) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		if v == 0 {
			continue
		}
		for j, c := range h {
			if i+j >= len(y) {
				break
			}
			y[i+j] += v * c
		}
	}
	return y
}

func add(a, b []float64) []float64 {
	y := make([]float64, len(a))
	for i := range a {
		y[i] = a[i] + b[i]
	}
	return y
}

func toInt16(x []float64) []int16 {
	y := make([]int16, len(x))
	for i, v := range x {
		y[i] = int16(max(-32768, min(32767, math.Round(v))))
	}
	return y
}
