package audio

import "math"

// decimator turns a device's interleaved frames into mono at the processing rate (an
// integer fraction of the device's): channels averaged, then a windowed-sinc low-pass and
// every ratio-th sample kept. The echo reference and the microphone go through the same
// filter, so its delay cancels out of their alignment. It allocates only in newDecimator.
// media's resampler designs the same filter; leaf packages do not import each other, so
// each keeps its own.
type decimator struct {
	ch, ratio int
	taps      []float32
	hist      []float32 // the last len(taps) inputs, twice over so a window is contiguous
	pos       int       // where the next input goes in the first copy
	phase     int       // inputs since the last output
}

// tapsPerRatio: 16 taps per step down keeps a 48 kHz card's images above 8 kHz more than
// 50 dB down for 48 multiply-adds per 16 kHz output sample.
const tapsPerRatio = 16

func newDecimator(channels, ratio int) *decimator {
	d := &decimator{ch: max(channels, 1), ratio: max(ratio, 1)}
	if d.ratio == 1 {
		return d
	}
	n := tapsPerRatio * d.ratio
	d.taps = make([]float32, n)
	d.hist = make([]float32, 2*n)
	fc := 0.45 / float64(d.ratio)
	mid := float64(n-1) / 2
	var sum float64
	w := make([]float64, n)
	for i := range w {
		x := float64(i) - mid
		s := 2 * fc
		if x != 0 {
			s = math.Sin(2*math.Pi*fc*x) / (math.Pi * x)
		}
		blackman := 0.42 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n-1)) + 0.08*math.Cos(4*math.Pi*float64(i)/float64(n-1))
		w[i] = s * blackman
		sum += w[i]
	}
	for i := range w {
		d.taps[i] = float32(w[i] / sum)
	}
	return d
}

// process converts the frames in in (interleaved) and writes the mono output to out,
// returning how many samples it wrote (len(in)/ch/ratio, give or take the phase).
func (d *decimator) process(out, in []int16) int {
	o := 0
	n := len(d.taps)
	for i := 0; i+d.ch <= len(in); i += d.ch {
		var v int32
		for c := range d.ch {
			v += int32(in[i+c])
		}
		v /= int32(d.ch)
		if d.ratio == 1 {
			out[o] = int16(v)
			o++
			continue
		}
		d.hist[d.pos], d.hist[d.pos+n] = float32(v), float32(v)
		d.pos++
		if d.pos == n {
			d.pos = 0
		}
		if d.phase++; d.phase < d.ratio {
			continue
		}
		d.phase = 0
		win := d.hist[d.pos : d.pos+n] // oldest first
		var acc float32
		for j, t := range d.taps {
			acc += t * win[j]
		}
		out[o] = sat16(acc)
		o++
	}
	return o
}

func sat16(v float32) int16 {
	if v >= 0 {
		v += 0.5
	} else {
		v -= 0.5
	}
	return int16(max(-32768, min(32767, v)))
}
