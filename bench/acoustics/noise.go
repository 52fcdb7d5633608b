package main

import (
	"math"
	"math/rand/v2"
)

// noiseKind is the background behind the visitor.
type noiseKind int

const (
	noiseNone noiseKind = iota
	noiseRoad           // traffic: low-pass rumble, slowly swelling as cars pass, some hiss
	noiseFan            // a ventilation fan: band noise and the motor's hum with harmonics
)

func (k noiseKind) String() string {
	return [...]string{"none", "road", "fan"}[k]
}

// selfNoiseDB is the microphone's own noise floor, RMS dBFS (a MEMS capsule with 65 dB SNR
// at -26 dBFS sensitivity sits near -91): it keeps the peers from seeing digital silence and
// bounds the echo loss a run can measure.
const selfNoiseDB = -85

// makeNoise returns n samples of kind at unit RMS, from a fixed seed.
func makeNoise(kind noiseKind, n, rate int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	x := make([]float64, n)
	fs := float64(rate)
	switch kind {
	case noiseRoad:
		a1 := math.Exp(-2 * math.Pi * 150 / fs)
		a2 := math.Exp(-2 * math.Pi * 400 / fs)
		var l1, l2 float64
		for i := range x {
			w := rng.NormFloat64()
			l1 = a1*l1 + (1-a1)*w
			l2 = a2*l2 + (1-a2)*l1
			t := float64(i) / fs
			swell := 1 + 0.5*math.Sin(2*math.Pi*t/7.3) + 0.25*math.Sin(2*math.Pi*t/2.9+1)
			x[i] = swell*l2*8 + 0.03*w
		}
	case noiseFan:
		a := math.Exp(-2 * math.Pi * 2500 / fs)
		var lp, hp float64
		var prev float64
		for i := range x {
			w := rng.NormFloat64()
			lp = a*lp + (1-a)*w
			hp = 0.97 * (hp + lp - prev) // band: 2.5 kHz low-pass, then a high-pass near 150 Hz
			prev = lp
			t := float64(i) / fs
			hum := 0.0
			for h := 1; h <= 5; h++ {
				hum += math.Sin(2*math.Pi*100*float64(h)*t+float64(h)) / float64(h)
			}
			x[i] = hp + 0.05*hum
		}
	default:
		for i := range x {
			x[i] = rng.NormFloat64()
		}
	}
	scale(x, 1/rms(x))
	return x
}

func rms(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	if len(x) == 0 {
		return 0
	}
	return math.Sqrt(s / float64(len(x)))
}

func scale(x []float64, g float64) {
	for i := range x {
		x[i] *= g
	}
}

func dbToGain(db float64) float64 { return math.Pow(10, db/20) }

// activeLevel is the level of a speech signal over its active 10 ms frames (those within
// 30 dB of the loudest), RMS dBFS: a plain stand-in for ITU-T P.56's active speech level.
func activeLevel(x []float64, rate int) float64 {
	e := frameEnergy(x, rate/100)
	var peak float64
	for _, v := range e {
		peak = math.Max(peak, v)
	}
	var s float64
	var n int
	for _, v := range e {
		if v > peak*1e-3 {
			s += v
			n++
		}
	}
	if n == 0 {
		return math.Inf(-1)
	}
	return 10 * math.Log10(s/float64(n))
}

// frameEnergy is the mean square of each whole frame of x.
func frameEnergy(x []float64, frame int) []float64 {
	e := make([]float64, len(x)/frame)
	for i := range e {
		var s float64
		for _, v := range x[i*frame : (i+1)*frame] {
			s += v * v
		}
		e[i] = s / float64(frame)
	}
	return e
}
