package main

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/dsp/fourier"
)

const soundSpeed = 343.0 // m/s at 20 °C

type vec3 [3]float64

// room is a shoe-box room for the image-source method (Allen and Berkley, JASA 1979): every
// wall reflects with the same pressure coefficient, chosen from RT60 by Sabine's formula
// (in these shoe-box rooms the model's decay, measured by Schroeder integration, lands
// within 10 % of the asked RT60 with Sabine and 10-25 % long with Eyring).
type room struct {
	size vec3    // metres
	rt60 float64 // seconds
}

// beta is the walls' pressure reflection coefficient for the room's RT60.
func (r room) beta() float64 {
	v := r.size[0] * r.size[1] * r.size[2]
	s := 2 * (r.size[0]*r.size[1] + r.size[0]*r.size[2] + r.size[1]*r.size[2])
	// Sabine: RT60 = 0.161 V / (S a); the energy reflection coefficient is 1-a = beta².
	return math.Sqrt(1 - min(0.161*v/(s*r.rt60), 1))
}

// imageRIR is the impulse response from src to mic in r at rate, length seconds long. Each
// image lands with a short windowed-sinc fractional delay; a first-order high-pass at 40 Hz
// takes out the DC the model builds up (as Allen and Berkley do).
func imageRIR(r room, src, mic vec3, rate int, length float64) []float64 {
	n := int(length * float64(rate))
	h := make([]float64, n)
	beta := r.beta()
	maxDist := length * soundSpeed
	var nmax [3]int
	for d := range 3 {
		nmax[d] = int(math.Ceil(maxDist/(2*r.size[d]))) + 1
	}
	const (
		taps  = 4  // each side of the fractional delay
		steps = 64 // fractional positions tabulated
	)
	// kern[f][j] is the Hann-windowed sinc for a delay of f/steps of a sample, at tap j-taps.
	var kern [steps + 1][2*taps + 1]float64
	for f := range kern {
		for j := range kern[f] {
			u := float64(j-taps) - float64(f)/steps
			kern[f][j] = sinc(u) * (0.5 + 0.5*math.Cos(math.Pi*u/float64(taps+1)))
		}
	}
	type axis struct {
		off  float64 // image coordinate minus the mic's
		refl int     // wall hits on this axis
	}
	images := func(d int) []axis {
		var a []axis
		for k := -nmax[d]; k <= nmax[d]; k++ {
			for q := range 2 {
				pos := float64(1-2*q)*src[d] + 2*float64(k)*r.size[d]
				a = append(a, axis{pos - mic[d], abs(k-q) + abs(k)})
			}
		}
		return a
	}
	ax, ay, az := images(0), images(1), images(2)
	pow := make([]float64, 6*(slices.Max(nmax[:])+2))
	for i := range pow {
		pow[i] = math.Pow(beta, float64(i))
	}
	fs := float64(rate)
	for _, x := range ax {
		if math.Abs(x.off) > maxDist {
			continue
		}
		for _, y := range ay {
			dxy := x.off*x.off + y.off*y.off
			if dxy > maxDist*maxDist {
				continue
			}
			for _, z := range az {
				d := math.Sqrt(dxy + z.off*z.off)
				if d > maxDist {
					continue
				}
				t := d / soundSpeed * fs
				g := pow[x.refl+y.refl+z.refl] / (4 * math.Pi * max(d, 0.01))
				c := int(t)
				k := &kern[int((t-float64(c))*steps+0.5)]
				for j := range k {
					if i := c - taps + j; i >= 0 && i < n {
						h[i] += g * k[j]
					}
				}
			}
		}
	}
	highPass(h, 40, rate)
	return h
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}

// highPass runs a first-order high-pass in place.
func highPass(x []float64, fc float64, rate int) {
	a := 1 / (1 + 2*math.Pi*fc/float64(rate))
	var px, py float64
	for i, v := range x {
		y := a * (py + v - px)
		px, py = v, y
		x[i] = y
	}
}

// convolve is the full linear convolution of x and h through one FFT.
func convolve(x, h []float64) []float64 {
	n := len(x) + len(h) - 1
	m := 1
	for m < n {
		m <<= 1
	}
	f := fourier.NewFFT(m)
	a := make([]float64, m)
	copy(a, x)
	b := make([]float64, m)
	copy(b, h)
	fa := f.Coefficients(nil, a)
	fb := f.Coefficients(nil, b)
	for i := range fa {
		fa[i] *= fb[i]
	}
	y := f.Sequence(nil, fa)
	for i := range y {
		y[i] /= float64(m)
	}
	return y[:n]
}

// directDelay is the direct path's delay from src to mic, in samples.
func directDelay(src, mic vec3, rate int) float64 {
	var s float64
	for d := range 3 {
		s += (src[d] - mic[d]) * (src[d] - mic[d])
	}
	return math.Sqrt(s) / soundSpeed * float64(rate)
}

// rt60Schroeder estimates RT60 from h by Schroeder's backward integration, fitting the decay
// between -5 and -25 dB (T20) and extrapolating to 60 dB.
func rt60Schroeder(h []float64, rate int) float64 {
	e := make([]float64, len(h))
	var s float64
	for i := len(h) - 1; i >= 0; i-- {
		s += h[i] * h[i]
		e[i] = s
	}
	if s == 0 {
		return math.NaN()
	}
	// Least-squares line through the decay curve between -5 and -25 dB.
	var n, sx, sy, sxx, sxy float64
	for i, v := range e {
		db := 10 * math.Log10(v/e[0])
		if db > -5 || db < -25 {
			continue
		}
		t := float64(i) / float64(rate)
		n++
		sx += t
		sy += db
		sxx += t * t
		sxy += t * db
	}
	slope := (n*sxy - sx*sy) / (n*sxx - sx*sx)
	return -60 / slope
}
