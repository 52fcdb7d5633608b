package voice

import "math"

// speakerModel is a memoryless model of the loudspeaker's compression, applied to the
// reference before the linear filter sees it: a small amplifier and speaker driven hot
// flatten the peaks (a soft clip), and the harmonics that adds are neither linear in the
// reference nor coherent with it, so the linear filter alone stalls near the distortion's
// level (10 dB of ERLE on the benchmark's clipping speaker). With the reference passed
// through the same curve, the echo is linear again in what the filter is handed
// (a Hammerstein model: memoryless curve, then the room).
//
// The curve is tanh(k x)/k on the reference in full-scale units (gain 1 at small levels, so
// the linear filter's learned path stays valid while k moves), with a = k² learnt from the
// microphone: the filter's error e = mic - H f_a(x) changes with a by -H ∂f/∂a, so a
// Gauss-Newton step moves a by <e, H g>/<H g, H g>, with g = ∂f/∂a of each block pushed
// through the filter's current path (every other block, averaged over ~30, each block
// weighted by its error's inverse power). A linear speaker keeps the curve off: it comes on
// only after the step measured with it off has asked for it for 20 learning blocks in a
// row, and goes off again when a falls back under 4.
//
// What the playback itself clips (the samples written saturate) is in the reference as it
// is handed over: only what the loudspeaker does after the DAC has to be learnt.
type speakerModel struct {
	n, bins int
	f       *fft
	a       float64 // k², per full scale squared

	num, den float64 // smoothed <e, Hg> and <Hg, Hg>
	g        []float64
	gprev    []float64 // last block's pre-emphasised g
	mem      float64   // pre-emphasis memory of g
	frame    []float64 // 2n
	spec     [][]complex128
	acc      []complex128
	skip     bool
	blocks   int // learning blocks seen
	onRun    int // learning blocks in a row that asked for the curve while it was off
}

const (
	fullScale = 32768.0
	// speakerMaxA bounds k at 20: a speaker whose small-signal range ends at -26 dBFS.
	speakerMaxA = 400
	// speakerSmooth averages the step's statistics over ~30 learning blocks; speakerStep
	// takes half the Gauss-Newton step each time, at most speakerMaxMove of a + speakerOnA.
	speakerSmooth  = 0.97
	speakerStep    = 0.5
	speakerMaxMove = 0.5
	// speakerWarmup is how many learning blocks are averaged before a first moves.
	speakerWarmup = 10
	// While off, the step measured (the cubic term alone) reads low but steady on a
	// clipping speaker (1.3-4 on the benchmark's, where a settles at 22-25) and wanders
	// around 0 on linear rooms (within ±1.3, double talk included): the curve comes on at
	// speakerOnA (k = 4) after speakerOnRun learning blocks in a row asked for more than
	// speakerOnEst, with fresh statistics after speakerOnWarmup blocks, and goes off below
	// speakerOffA (k = 2: peaks of -10 dBFS 1 dB lower).
	speakerOnA      = 16
	speakerOnEst    = 1.0
	speakerOnRun    = 20
	speakerOnWarmup = 4
	speakerOffA     = 4
	// speakerMinERLE is the filter's (recent peak) ERLE, dB, before a is learnt: until then
	// the error is mostly the linear echo the filter has not learned yet.
	speakerMinERLE = 3
)

func newSpeakerModel(n, ring int) (*speakerModel, error) {
	f, err := newFFT(2 * n)
	if err != nil {
		return nil, err
	}
	bins := n + 1
	s := &speakerModel{n: n, bins: bins, f: f, g: make([]float64, n), gprev: make([]float64, n),
		frame: make([]float64, 2*n), spec: make([][]complex128, ring), acc: make([]complex128, bins)}
	for i := range s.spec {
		s.spec[i] = make([]complex128, bins)
	}
	return s, nil
}

// apply passes ref (int16 units) through the curve in place and keeps the curve's
// derivative in a for the block.
func (s *speakerModel) apply(ref []float64) {
	a := s.a
	if a <= 0 {
		for i, v := range ref {
			x := v / fullScale
			s.g[i] = -x * x * x / 3 * fullScale
		}
		return
	}
	k := math.Sqrt(a)
	for i, v := range ref {
		x := v / fullScale
		u := k * x
		if math.Abs(u) < 0.01 {
			// Series of tanh(kx)/k and its a-derivative: x - a x³/3, -x³/3 + 4 a x⁵/15.
			x3 := x * x * x
			ref[i] = (x - a*x3/3) * fullScale
			s.g[i] = (-x3/3 + 4*a*x3*x*x/15) * fullScale
			continue
		}
		t := math.Tanh(u)
		ref[i] = t / k * fullScale
		s.g[i] = (u*(1-t*t) - t) / (2 * k * a) * fullScale
	}
}

// push takes the block's derivative into the ring slot the canceller put the reference in
// (same pre-emphasis and framing), so the filter's partitions line up with it.
func (s *speakerModel) push(slot int) {
	n := s.n
	copy(s.frame[:n], s.gprev)
	for i, v := range s.g {
		s.frame[n+i] = v - preEmphasis*s.mem
		s.mem = v
	}
	copy(s.gprev, s.frame[n:])
	s.f.forward(s.spec[slot], s.frame)
}

// learn moves a by a share of the Gauss-Newton step from the canceller's last block: its
// foreground error and foreground filter.
func (s *speakerModel) learn(c *canceller) {
	// Every other block is enough for a figure that settles over seconds, at half the cost.
	s.skip = !s.skip
	if s.skip {
		return
	}
	clear(s.acc)
	for j := range c.m {
		G, F := s.spec[c.ring(c.delay+j)], c.fg[j]
		acc := s.acc[:len(G)]
		F = F[:len(G)]
		for k, v := range G {
			acc[k] += F[k] * v
		}
	}
	s.f.inverse(s.frame, s.acc)
	// Only the part of H g that is not the echo estimate itself is the curve's: a change of
	// a that only changes the echo's gain is the linear filter's to follow, and a filter
	// that has not learned the path yet (or was pulled off it by the visitor) leaves a share
	// of the echo estimate in its error that would otherwise move a.
	var gy, yy float64
	for i := range c.ef {
		y, v := s.frame[s.n+i], c.yf[s.n+i]
		gy += y * v
		yy += v * v
	}
	b := 0.0
	if yy > 0 {
		b = gy / yy
	}
	var eg, gg, ee float64
	for i, e := range c.ef {
		y := s.frame[s.n+i] - b*c.yf[s.n+i]
		eg += e * y
		gg += y * y
		ee += e * e
	}
	if !finite(eg) || !finite(gg) {
		return
	}
	// Each block weighs by its error's inverse power (weighted least squares): a block where
	// the visitor talks says little about the speaker and moves a little.
	w := 1 / (ee + float64(s.n)*100)
	s.num = speakerSmooth*s.num + w*eg
	s.den = speakerSmooth*s.den + w*gg
	if s.den <= 0 {
		return
	}
	s.blocks++
	if s.blocks < speakerWarmup {
		return
	}
	// The step is bounded relative to a: a few blocks of odd statistics (a burst of the
	// visitor the weighting did not catch) move it only a little.
	est := s.num / s.den
	step := speakerStep * est
	lim := speakerMaxMove * (s.a + speakerOnA)
	a := min(speakerMaxA, max(0, s.a+max(-lim, min(lim, step))))
	if s.a == 0 {
		// Off: the step measured with the curve off (the cubic term alone) reads low, but
		// steadily above 0 for a speaker that clips while a linear one wanders around it.
		if est < speakerOnEst {
			s.onRun = 0
			return
		}
		if s.onRun++; s.onRun < speakerOnRun {
			return
		}
		// On: fresh statistics at the new a (the old ones describe a filter learnt without
		// the curve).
		s.onRun, s.a, s.num, s.den, s.blocks = 0, speakerOnA, 0, 0, speakerWarmup-speakerOnWarmup
		return
	}
	if a < speakerOffA {
		a = 0
	}
	s.num -= (a - s.a) * s.den
	s.a = a
}

// compression is how much the curve lowers a -6 dBFS peak, dB.
func (s *speakerModel) compression() float64 {
	if s.a <= 0 {
		return 0
	}
	u := math.Sqrt(s.a) * 0.5
	return -20 * math.Log10(math.Tanh(u)/u)
}

func (s *speakerModel) reset() {
	s.a, s.num, s.den, s.mem, s.blocks, s.onRun = 0, 0, 0, 0, 0, 0
	clear(s.gprev)
	for _, v := range s.spec {
		clear(v)
	}
}
