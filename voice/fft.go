package voice

import (
	"fmt"
	"math"
	"math/cmplx"
)

// fft is a real-input FFT of an even length n, computed as a complex FFT of n/2 points
// (a self-sorting mixed-radix Stockham transform with radices 4, 2 and 5, enough for the
// 160- and 320-point frames of 10 ms blocks at 8 and 16 kHz) plus one split pass.
// It is built once and allocates nothing per transform; it is not safe for concurrent use.
type fft struct {
	n     int          // real length
	h     int          // complex length n/2
	steps []fftStep    // radix passes, first to last
	split []complex128 // e^{-2πik/n}, k < h, for the real/complex split
	a, b  []complex128 // ping-pong work arrays of h points
}

// cos and sin of 2π/5 and 4π/5.
const (
	c51 = 0.30901699437494745
	c52 = -0.8090169943749475
	s51 = 0.9510565162951535
	s52 = 0.5877852522924731
)

type fftStep struct {
	p  int          // radix
	lp int          // transforms already combined (product of earlier radices)
	r  int          // h / (lp*p)
	tw []complex128 // e^{-2πi j q / (lp*p)} for j < lp, 1 <= q < p, as [j*(p-1)+q-1]
}

func newFFT(n int) (*fft, error) {
	if n < 4 || n%2 != 0 {
		return nil, fmt.Errorf("voice: fft length %d is not even", n)
	}
	h := n / 2
	f := &fft{n: n, h: h, split: make([]complex128, h), a: make([]complex128, h), b: make([]complex128, h)}
	for k := range f.split {
		f.split[k] = cmplx.Rect(1, -2*math.Pi*float64(k)/float64(n))
	}
	rest, lp := h, 1
	for rest > 1 {
		p := 0
		switch {
		case rest%4 == 0:
			p = 4
		case rest%2 == 0:
			p = 2
		case rest%5 == 0:
			p = 5
		default:
			return nil, fmt.Errorf("voice: fft length %d has a factor other than 2 and 5", n)
		}
		l := lp * p
		st := fftStep{p: p, lp: lp, r: h / l, tw: make([]complex128, lp*(p-1))}
		for j := range lp {
			for q := 1; q < p; q++ {
				st.tw[j*(p-1)+q-1] = cmplx.Rect(1, -2*math.Pi*float64(j*q)/float64(l))
			}
		}
		f.steps = append(f.steps, st)
		rest /= p
		lp = l
	}
	return f, nil
}

// Which half of f.a a transform may take as zero: the error and echo blocks of the
// overlap-save filters fill only the second half of their frame, a constrained partition
// only the first.
const (
	zeroNone = iota
	zeroFirst
	zeroSecond
)

// transform runs the complex FFT of f.a and returns the work array that holds the result
// (f.a or f.b); zero says which half of f.a holds only zeros (zeroNone, zeroFirst,
// zeroSecond).
func (f *fft) transform(zero int) []complex128 {
	src, dst := f.a, f.b
	for i := range f.steps {
		st := &f.steps[i]
		p, lp, r := st.p, st.lp, st.r
		// dst[(j + lp*v)*r + k] = sum_q omega_p^{vq} tw_{jq} src[j*r*p + q*r + k]
		for j := range lp {
			in := src[j*r*p : j*r*p+r*p]
			switch p {
			case 4:
				o0, o1, o2, o3 := dst[j*r:j*r+r], dst[(j+lp)*r:(j+lp)*r+r], dst[(j+2*lp)*r:(j+2*lp)*r+r], dst[(j+3*lp)*r:(j+3*lp)*r+r]
				i0, i1, i2, i3 := in[:r], in[r:2*r], in[2*r:3*r], in[3*r:4*r]
				if j == 0 {
					// Twiddles of 1 (the whole first pass): the multiplications would add
					// exact zeros. In the first pass, i0 and i1 are the first half of the
					// input, i2 and i3 the second.
					switch {
					case i == 0 && zero == zeroFirst:
						radix4Late(o0, o1, o2, o3, i2, i3)
					case i == 0 && zero == zeroSecond:
						radix4Early(o0, o1, o2, o3, i0, i1)
					default:
						radix4(o0, o1, o2, o3, i0, i1, i2, i3)
					}
					continue
				}
				tw := st.tw[j*3 : j*3+3]
				radix4tw(o0, o1, o2, o3, i0, i1, i2, i3, tw[0], tw[1], tw[2])
			case 2:
				w1 := st.tw[j]
				o0, o1 := dst[j*r:j*r+r], dst[(j+lp)*r:(j+lp)*r+r]
				i0, i1 := in[:r], in[r:2*r]
				i0, i1, o1 = i0[:len(o0)], i1[:len(o0)], o1[:len(o0)]
				for k := range o0 {
					a0, a1 := i0[k], w1*i1[k]
					o0[k] = a0 + a1
					o1[k] = a0 - a1
				}
			default:
				tw := st.tw[j*4 : j*4+4]
				if r == 1 {
					// The last pass: one butterfly per twiddle set.
					in = in[:5]
					dst[j], dst[j+lp], dst[j+2*lp], dst[j+3*lp], dst[j+4*lp] = radix5(in[0], tw[0]*in[1], tw[1]*in[2], tw[2]*in[3], tw[3]*in[4])
					continue
				}
				o0, o1, o2, o3, o4 := dst[j*r:j*r+r], dst[(j+lp)*r:(j+lp)*r+r], dst[(j+2*lp)*r:(j+2*lp)*r+r], dst[(j+3*lp)*r:(j+3*lp)*r+r], dst[(j+4*lp)*r:(j+4*lp)*r+r]
				for k := range r {
					o0[k], o1[k], o2[k], o3[k], o4[k] = radix5(in[k], tw[0]*in[r+k], tw[1]*in[2*r+k], tw[2]*in[3*r+k], tw[3]*in[4*r+k])
				}
			}
		}
		src, dst = dst, src
	}
	return src
}

// radix5 is the radix-5 butterfly of twiddled inputs, with its symmetries: 4 real rotations
// instead of 16 complex ones.
func radix5(a0, a1, a2, a3, a4 complex128) (o0, o1, o2, o3, o4 complex128) {
	t1, t2, t3, t4 := a1+a4, a2+a3, a1-a4, a2-a3
	b1 := a0 + scale(c51, t1) + scale(c52, t2)
	b2 := a0 + scale(c52, t1) + scale(c51, t2)
	d1 := scale(s51, t3) + scale(s52, t4)
	d2 := scale(s52, t3) - scale(s51, t4)
	// -i*d
	m1 := complex(imag(d1), -real(d1))
	m2 := complex(imag(d2), -real(d2))
	return a0 + t1 + t2, b1 + m1, b2 + m2, b2 - m2, b1 - m1
}

// radix4tw is the radix-4 butterfly over r = len(o0) points with the twiddles w1-w3.
func radix4tw(o0, o1, o2, o3, i0, i1, i2, i3 []complex128, w1, w2, w3 complex128) {
	n := len(o0)
	o1, o2, o3, i0, i1, i2, i3 = o1[:n], o2[:n], o3[:n], i0[:n], i1[:n], i2[:n], i3[:n]
	for k := range n {
		a0 := i0[k]
		a1 := w1 * i1[k]
		a2 := w2 * i2[k]
		a3 := w3 * i3[k]
		s02, d02 := a0+a2, a0-a2
		s13, d13 := a1+a3, a1-a3
		// -i * d13
		md := complex(imag(d13), -real(d13))
		o0[k] = s02 + s13
		o1[k] = d02 + md
		o2[k] = s02 - s13
		o3[k] = d02 - md
	}
}

// forward writes the n/2+1 coefficients of the real sequence x (len n) to X (unscaled).
func (f *fft) forward(X []complex128, x []float64) {
	for i := range f.a {
		f.a[i] = complex(x[2*i], x[2*i+1])
	}
	f.splitForward(X, f.transform(zeroNone))
}

// forwardLate is forward of the n reals [n/2 zeros, x...] (len(x) == n/2).
func (f *fft) forwardLate(X []complex128, x []float64) {
	if f.h%2 != 0 {
		f.forwardHalf(X, x, f.h)
		return
	}
	q := f.h / 2
	clear(f.a[:q])
	late := f.a[q:]
	x = x[:2*len(late)]
	for i := range late {
		late[i] = complex(x[2*i], x[2*i+1])
	}
	f.splitForward(X, f.transform(zeroFirst))
}

// forwardEarly is forward of the n reals [x..., n/2 zeros] (len(x) == n/2).
func (f *fft) forwardEarly(X []complex128, x []float64) {
	if f.h%2 != 0 {
		f.forwardHalf(X, x, 0)
		return
	}
	q := f.h / 2
	early := f.a[:q]
	x = x[:2*len(early)]
	for i := range early {
		early[i] = complex(x[2*i], x[2*i+1])
	}
	clear(f.a[q:])
	f.splitForward(X, f.transform(zeroSecond))
}

// forwardHalf is forward of x placed from real index at on, zeros elsewhere (n/2 odd:
// the halves do not fall on whole complex points).
func (f *fft) forwardHalf(X []complex128, x []float64, at int) {
	get := func(i int) float64 {
		if i >= at && i < at+len(x) {
			return x[i-at]
		}
		return 0
	}
	for i := range f.a {
		f.a[i] = complex(get(2*i), get(2*i+1))
	}
	f.splitForward(X, f.transform(zeroNone))
}

// splitForward writes the real sequence's n/2+1 coefficients from its packed transform z.
func (f *fft) splitForward(X []complex128, z []complex128) {
	h := f.h
	X[0] = complex(real(z[0])+imag(z[0]), 0)
	X[h] = complex(real(z[0])-imag(z[0]), 0)
	for k := 1; k < h; k++ {
		zk, zc := z[k], cmplx.Conj(z[h-k])
		fe := scale(0.5, zk+zc)
		d := zk - zc
		fo := complex(0.5*imag(d), -0.5*real(d)) // d * -i/2
		X[k] = fe + f.split[k]*fo
	}
}

// inverse writes to x (len n) the real sequence whose n/2+1 coefficients are X, scaled by
// 1/n so that inverse(forward(x)) == x.
func (f *fft) inverse(x []float64, X []complex128) {
	h := f.h
	// Z[k] = Fe[k] + i Fo[k], conjugated so the forward transform computes the inverse.
	for k := range h {
		xk, xc := X[k], cmplx.Conj(X[h-k])
		fe := scale(0.5, xk+xc)
		fo := scale(0.5, xk-xc) * cmplx.Conj(f.split[k])
		f.a[k] = cmplx.Conj(fe + complex(-imag(fo), real(fo)))
	}
	s := 1 / float64(h)
	for i, z := range f.transform(zeroNone) {
		x[2*i] = real(z) * s
		x[2*i+1] = -imag(z) * s
	}
}

// scale multiplies z by the real a: what complex(a, 0)*z computes (the terms with the zero
// imaginary part add exact zeros), with two multiplications instead of four and two additions.
func scale(a float64, z complex128) complex128 {
	return complex(a*real(z), a*imag(z))
}

// radix4 is the radix-4 butterfly without twiddles over r = len(o0) points.
func radix4(o0, o1, o2, o3, i0, i1, i2, i3 []complex128) {
	n := len(o0)
	o1, o2, o3, i0, i1, i2, i3 = o1[:n], o2[:n], o3[:n], i0[:n], i1[:n], i2[:n], i3[:n]
	for k := range n {
		a0, a1, a2, a3 := i0[k], i1[k], i2[k], i3[k]
		s02, d02 := a0+a2, a0-a2
		s13, d13 := a1+a3, a1-a3
		md := complex(imag(d13), -real(d13))
		o0[k] = s02 + s13
		o1[k] = d02 + md
		o2[k] = s02 - s13
		o3[k] = d02 - md
	}
}

// radix4Late is radix4 with i0 and i1 zero (the first pass of forwardLate): the sums with
// zero are left out, which changes nothing but the sign of a zero.
func radix4Late(o0, o1, o2, o3, i2, i3 []complex128) {
	n := len(o0)
	o1, o2, o3, i2, i3 = o1[:n], o2[:n], o3[:n], i2[:n], i3[:n]
	for k := range n {
		a2, a3 := i2[k], i3[k]
		// -i * (0 - a3)
		md := complex(-imag(a3), real(a3))
		o0[k] = a2 + a3
		o1[k] = -a2 + md
		o2[k] = a2 - a3
		o3[k] = -a2 - md
	}
}

// radix4Early is radix4 with i2 and i3 zero (the first pass of forwardEarly).
func radix4Early(o0, o1, o2, o3, i0, i1 []complex128) {
	n := len(o0)
	o1, o2, o3, i0, i1 = o1[:n], o2[:n], o3[:n], i0[:n], i1[:n]
	for k := range n {
		a0, a1 := i0[k], i1[k]
		md := complex(imag(a1), -real(a1))
		o0[k] = a0 + a1
		o1[k] = a0 + md
		o2[k] = a0 - a1
		o3[k] = a0 - md
	}
}
