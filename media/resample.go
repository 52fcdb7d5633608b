package media

import (
	"fmt"
	"math"
)

// tapsPerPhase sets the FIR length: 16 taps per polyphase branch keeps images of a 48 kHz
// card's band more than 50 dB down at 8 kHz for about 2k multiply-adds per 20 ms frame.
const tapsPerPhase = 16

// resampler converts mono audio by an integer ratio (up by L or down by M) with a
// windowed-sinc low-pass FIR. It keeps its history between calls, so a stream can be fed in
// frames of any size; after the first call of a given size it allocates nothing.
type resampler struct {
	up, down int
	h        []float32 // prototype filter, len tapsPerPhase*max(up,down)
	buf      []float32 // history (len(h)/ratio-1 or len(h)-1 samples) followed by input
	hist     int
}

// newResampler converts from rate `from` to rate `to`; one must divide the other.
func newResampler(from, to int) (*resampler, error) {
	r := &resampler{up: 1, down: 1}
	switch {
	case from <= 0 || to <= 0:
		return nil, fmt.Errorf("%w: resample %d -> %d Hz", ErrFormat, from, to)
	case from == to:
		return r, nil
	case to%from == 0:
		r.up = to / from
	case from%to == 0:
		r.down = from / to
	default:
		return nil, fmt.Errorf("%w: resample %d -> %d Hz is not an integer ratio", ErrFormat, from, to)
	}
	ratio := max(r.up, r.down)
	n := tapsPerPhase * ratio
	r.h = make([]float32, n)
	// Cutoff a little below the lower Nyquist frequency, relative to the higher rate.
	fc := 0.45 / float64(ratio)
	mid := float64(n-1) / 2
	var sum float64
	taps := make([]float64, n)
	for i := range taps {
		x := float64(i) - mid
		s := 2 * fc
		if x != 0 {
			s = math.Sin(2*math.Pi*fc*x) / (math.Pi * x)
		}
		// Blackman window.
		w := 0.42 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n-1)) + 0.08*math.Cos(4*math.Pi*float64(i)/float64(n-1))
		taps[i] = s * w
		sum += taps[i]
	}
	// Unity gain at DC; interpolation also multiplies by L because it inserts L-1 zeros.
	for i := range taps {
		r.h[i] = float32(taps[i] / sum * float64(r.up))
	}
	if r.up > 1 {
		r.hist = tapsPerPhase - 1
	} else {
		r.hist = n - 1
	}
	return r, nil
}

// outLen is how many samples process gives for n input samples (n a multiple of down).
func (r *resampler) outLen(n int) int { return n * r.up / r.down }

// process converts in into out (len(out) >= outLen(len(in))) and returns the count.
func (r *resampler) process(out []int16, in []int16) int {
	if r.up == 1 && r.down == 1 {
		return copy(out, in)
	}
	if need := r.hist + len(in); cap(r.buf) < need {
		nb := make([]float32, need)
		copy(nb, r.buf[:min(len(r.buf), r.hist)])
		r.buf = nb
	}
	b := r.buf[:r.hist+len(in)]
	for i, v := range in {
		b[r.hist+i] = float32(v)
	}
	o := 0
	if r.up > 1 {
		// Polyphase interpolation: output k of input n uses taps k, k+L, k+2L, ...
		for n := 0; n < len(in); n++ {
			x := b[n : n+tapsPerPhase] // oldest first; x[tapsPerPhase-1] is the newest
			for k := 0; k < r.up; k++ {
				var acc float32
				for j := 0; j < tapsPerPhase; j++ {
					acc += r.h[j*r.up+k] * x[tapsPerPhase-1-j]
				}
				out[o] = clamp16(acc)
				o++
			}
		}
	} else {
		// Decimation: filter only at the kept outputs.
		for n := r.down - 1; n < len(in); n += r.down {
			x := b[n : n+len(r.h)]
			var acc float32
			last := len(r.h) - 1
			for j, hj := range r.h {
				acc += hj * x[last-j]
			}
			out[o] = clamp16(acc)
			o++
		}
	}
	copy(b, b[len(in):])
	r.buf = b
	return o
}

func clamp16(v float32) int16 {
	// Round half away from zero; math.Floor would cost a call per sample.
	if v >= 0 {
		v += 0.5
	} else {
		v -= 0.5
	}
	if v > 32767 {
		return 32767
	}
	if v < -32768 {
		return -32768
	}
	return int16(v)
}
