package voice

import "math"

func energy(x []float64) float64 {
	var e float64
	for _, v := range x {
		e += v * v
	}
	return e
}

// db is 10 log10(x), finite for x == 0.
func db(x float64) float64 { return 10 * math.Log10(x+1e-30) }

func pow2(v complex128) float64 { return real(v)*real(v) + imag(v)*imag(v) }

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
