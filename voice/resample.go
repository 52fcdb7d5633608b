package voice

import "math"

// resampler reads the reference at the microphone's clock: when capture and playback are two
// sound cards, the echo slides against the reference by the cards' clock difference (100 ppm
// is 1 ms in 10 s), and a filter that has to follow a moving path loses 15-30 dB of echo
// loss. The resampler reads the reference ratio samples apart (ratio = playback samples per
// captured sample, from the drift tracker) through a windowed-sinc fractional-delay
// interpolator, so the echo path the filter sees stays still.
//
// It hands the canceller one block per Process block as long as the reference it reads stays
// within [k, k+slack+n] samples behind the newest; when the read position drifts out of that
// window it hands none (the reference ran ahead: the echo now arrives a block earlier against
// the ring) or two (it fell behind), which is an exact one-block relabelling of the ring's
// blocks: the canceller's read position and the delay estimator's lags move by one, the
// filter keeps what it learned. At ratio 1 and a whole-sample read position the output is an
// exact copy, k+slack samples late (the microphone is held back as much).
type resampler struct {
	n, k, slack int
	taps        [][]float64 // phases+1 rows of 2k weights, row i for a fraction i/phases
	buf         []float64   // the newest raw reference samples, oldest first
	pos         float64     // buf index of the next output sample
	ratio       float64
}

// Interpolator: 2*resampleHalf taps of a Kaiser-windowed sinc, phases tabulated and blended
// linearly between neighbours.
const (
	resampleHalf   = 16
	resamplePhases = 256
	resampleBeta   = 8.0
)

func newResampler(n, slack int) *resampler {
	k := resampleHalf
	r := &resampler{n: n, k: k, slack: slack, taps: make([][]float64, resamplePhases+1),
		buf: make([]float64, 3*n+2*k+slack)}
	for i := range r.taps {
		r.taps[i] = make([]float64, 2*k)
		u := float64(i) / resamplePhases
		var sum float64
		for j := range r.taps[i] {
			x := float64(j-k+1) - u // distance of tap j from the wanted position
			w := sinc(x) * kaiser(x/float64(k), resampleBeta)
			r.taps[i][j] = w
			sum += w
		}
		for j := range r.taps[i] {
			r.taps[i][j] /= sum
		}
	}
	r.ratio = 1
	r.reset()
	return r
}

// reset forgets the reference (keeping the ratio: it belongs to the sound cards).
func (r *resampler) reset() {
	clear(r.buf)
	// After the next feed the first output is the reference k+slack samples back.
	r.pos = float64(len(r.buf) - r.k - r.slack)
}

// feed appends one raw block.
func (r *resampler) feed(x []float64) {
	copy(r.buf, r.buf[len(x):])
	copy(r.buf[len(r.buf)-len(x):], x)
	r.pos -= float64(len(x))
	if lo := float64(r.k); r.pos < lo {
		// Fell behind the history kept (a ratio far off): jump to the oldest usable position.
		r.pos = lo
	}
}

// last is the buf index of the last output sample of the next block.
func (r *resampler) last() float64 { return r.pos + float64(r.n-1)*r.ratio }

// ready reports whether the next block can be read from what was fed.
func (r *resampler) ready() bool { return int(r.last())+r.k <= len(r.buf)-1 }

// surplus reports whether a further block can be read with the slack still kept in hand:
// the read position has fallen a whole block behind where it started.
func (r *resampler) surplus() bool { return int(r.last())+r.k+r.slack <= len(r.buf)-1 }

// catchUp moves the read position back so the next block ends at the newest usable sample:
// when the ring cannot be relabelled (the echo would arrive before the reference), the drift
// is left to the filter rather than read ahead of the reference.
func (r *resampler) catchUp() {
	r.pos = float64(len(r.buf)-1-r.k) - float64(r.n-1)*r.ratio
}

// next writes the next block to out (len n) and advances.
func (r *resampler) next(out []float64) {
	if r.ratio == 1 && r.pos == math.Trunc(r.pos) {
		i := int(r.pos)
		copy(out, r.buf[i:i+r.n])
		r.pos += float64(r.n)
		return
	}
	x := r.pos
	i := 0
	// Two output samples a pass: each sum is added up in its own order as before, but four
	// independent chains of additions instead of two keep the multiplier busy (the loop
	// waited on the additions' latency).
	for ; i+1 < len(out); i += 2 {
		xb := x + r.ratio
		src, t0, t1, a := r.window(x)
		srcB, u0, u1, b := r.window(xb)
		srcB, u0, u1 = srcB[:len(src)], u0[:len(src)], u1[:len(src)]
		var y0, y1, z0, z1 float64
		for j, v := range src {
			w := srcB[j]
			y0 += v * t0[j]
			y1 += v * t1[j]
			z0 += w * u0[j]
			z1 += w * u1[j]
		}
		out[i] = y0 + a*(y1-y0)
		out[i+1] = z0 + b*(z1-z0)
		x = xb + r.ratio
	}
	for ; i < len(out); i++ {
		src, t0, t1, a := r.window(x)
		var y0, y1 float64
		for j, v := range src {
			y0 += v * t0[j]
			y1 += v * t1[j]
		}
		out[i] = y0 + a*(y1-y0)
		x += r.ratio
	}
	r.pos = x
}

// window returns the input samples around read position x, the taps of the two phases
// either side of its fraction and the blend between them.
func (r *resampler) window(x float64) (src, t0, t1 []float64, a float64) {
	i0 := int(x)
	f := (x - float64(i0)) * resamplePhases
	ph := int(f)
	src = r.buf[i0-r.k+1 : i0+r.k+1]
	return src, r.taps[ph][:len(src)], r.taps[ph+1][:len(src)], f - float64(ph)
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// kaiser is the Kaiser window at x in [-1, 1].
func kaiser(x, beta float64) float64 {
	if x <= -1 || x >= 1 {
		return 0
	}
	return besselI0(beta*math.Sqrt(1-x*x)) / besselI0(beta)
}

func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 50; k++ {
		term *= (x / (2 * float64(k))) * (x / (2 * float64(k)))
		sum += term
		if term < sum*1e-17 {
			break
		}
	}
	return sum
}
