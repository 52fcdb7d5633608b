package audio

import (
	"math"
	"math/cmplx"
	"testing"
)

// TestFFT against the DFT's definition, and back again.
func TestFFT(t *testing.T) {
	for _, n := range []int{1, 2, 8, 64} {
		x := make([]complex128, n)
		for i := range x {
			x[i] = complex(math.Sin(float64(i)*1.3)+0.2, math.Cos(float64(i)*0.7))
		}
		want := make([]complex128, n)
		for k := range want {
			for j, v := range x {
				want[k] += v * cmplx.Exp(complex(0, -2*math.Pi*float64(j*k)/float64(n)))
			}
		}
		got := append([]complex128(nil), x...)
		fft(got, false)
		for k := range got {
			if cmplx.Abs(got[k]-want[k]) > 1e-9 {
				t.Fatalf("n=%d bin %d: %v, want %v", n, k, got[k], want[k])
			}
		}
		fft(got, true)
		for i := range got {
			if cmplx.Abs(got[i]-x[i]) > 1e-9 {
				t.Fatalf("n=%d: inverse sample %d: %v, want %v", n, i, got[i], x[i])
			}
		}
	}
}
