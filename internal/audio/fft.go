package audio

import (
	"math"
	"math/bits"
)

// fft transforms x in place (len a power of two): the forward DFT, or with inverse the
// inverse DFT scaled by 1/n. The echo measurement runs it a few times on a second of audio;
// it is not on the call's path.
func fft(x []complex128, inverse bool) {
	n := len(x)
	if n < 2 {
		return
	}
	shift := 64 - uint(bits.TrailingZeros(uint(n)))
	for i := range x {
		if j := int(bits.Reverse64(uint64(i)) >> shift); j > i {
			x[i], x[j] = x[j], x[i]
		}
	}
	sign := -1.0
	if inverse {
		sign = 1
	}
	for size := 2; size <= n; size <<= 1 {
		step := complex(math.Cos(2*math.Pi/float64(size)), sign*math.Sin(2*math.Pi/float64(size)))
		for start := 0; start < n; start += size {
			w := complex(1, 0)
			for k := range size / 2 {
				a, b := x[start+k], x[start+k+size/2]*w
				x[start+k], x[start+k+size/2] = a+b, a-b
				w *= step
			}
		}
	}
	if inverse {
		s := complex(1/float64(n), 0)
		for i := range x {
			x[i] *= s
		}
	}
}
