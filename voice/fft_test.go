package voice

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"
)

func TestFFTMatchesDFT(t *testing.T) {
	for _, n := range []int{160, 320, 40, 16, 10} {
		f, err := newFFT(n)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, uint64(n)))
		x := make([]float64, n)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		X := make([]complex128, n/2+1)
		f.forward(X, x)
		for k := 0; k <= n/2; k++ {
			var s complex128
			for i, v := range x {
				s += complex(v, 0) * cmplx.Rect(1, -2*math.Pi*float64(i*k)/float64(n))
			}
			if cmplx.Abs(s-X[k]) > 1e-9*float64(n) {
				t.Fatalf("n=%d bin %d: %v, want %v", n, k, X[k], s)
			}
		}
		y := make([]float64, n)
		f.inverse(y, X)
		for i := range x {
			if math.Abs(x[i]-y[i]) > 1e-12*float64(n) {
				t.Fatalf("n=%d: inverse sample %d = %g, want %g", n, i, y[i], x[i])
			}
		}
	}
}

// The half-zero forms give forward's coefficients to the bit: they only leave out sums with
// zero.
func TestFFTHalfZeroFormsMatchForward(t *testing.T) {
	for _, n := range []int{160, 320, 40, 16, 10} {
		f, err := newFFT(n)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(2, uint64(n)))
		half := make([]float64, n/2)
		for i := range half {
			half[i] = rng.NormFloat64()
		}
		for _, tc := range []struct {
			name  string
			late  bool
			apply func(X []complex128)
		}{
			{"late", true, func(X []complex128) { f.forwardLate(X, half) }},
			{"early", false, func(X []complex128) { f.forwardEarly(X, half) }},
		} {
			x := make([]float64, n)
			if tc.late {
				copy(x[n/2:], half)
			} else {
				copy(x, half)
			}
			want, got := make([]complex128, n/2+1), make([]complex128, n/2+1)
			f.forward(want, x)
			tc.apply(got)
			for k := range want {
				if got[k] != want[k] {
					t.Fatalf("n=%d %s: bin %d = %v, forward gives %v", n, tc.name, k, got[k], want[k])
				}
			}
		}
	}
}

func TestFFTRefusesOddSizes(t *testing.T) {
	for _, n := range []int{0, 3, 42} {
		if _, err := newFFT(n); err == nil {
			t.Errorf("newFFT(%d) accepted", n)
		}
	}
}

func BenchmarkFFT320(b *testing.B) {
	f, _ := newFFT(320)
	x := make([]float64, 320)
	X := make([]complex128, 161)
	for i := range x {
		x[i] = float64(i % 7)
	}
	b.ReportAllocs()
	for b.Loop() {
		f.forward(X, x)
		f.inverse(x, X)
	}
}
