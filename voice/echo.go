package voice

import "math"

// canceller is the linear echo canceller: a partitioned-block frequency-domain adaptive
// filter (MDF) with two copies. The background filter adapts every block with a step size
// that follows the estimated echo leakage and residual-to-error ratio (Valin 2007), so
// near-end speech slows it down without a double-talk detector; the foreground filter makes
// the output and only takes the background's coefficients when the background cancels
// better, and gives them back when the background went astray. Samples are in int16 units.
//
// The reference spectra of the last blocks are kept in a ring; the filter reads them starting
// delay blocks back, so a reference that arrives early (two sound cards, a coarse PCM delay)
// costs no tail: the delay estimator moves the read position, and the partitions with it.
type canceller struct {
	n, m, bins int
	rate       int
	f          *fft

	hist    [][]complex128 // spectra of [previous block, block] of the raw reference
	hpow    [][]float64    // their power spectra
	henergy []float64      // time-domain energy of each ring block
	head    int
	delay   int // blocks between the newest reference and the filter's first partition
	epoch   int // counts the filters' resets (the drift tracker compares across none)
	moved   int // partitions the filters were moved by in all (setDelay), toward the first
	xprev   []float64

	w, fg [][]complex128 // background and foreground filters, m partitions of bins

	frame, yb, yf   []float64 // 2n scratch
	eb, ef          []float64 // n: background and foreground errors
	ybuf, fbuf      []complex128
	espec, yspec    []complex128
	psum, step      []float64
	eh, yh          []float64 // slow averages of the error and echo power spectra
	pey, pyy, leak  float64
	adapted         bool
	sumAdapt        float64
	davg1, davg2    float64
	dvar1, dvar2    float64
	constrain       int
	saturated       int
	screwed         int
	trust           float64   // 0..1: how much of the echo estimate is subtracted
	late            []float64 // per-bin power of the echo past the tail
	decay           float64   // per block, of the filter's last partitions' energy
	micp            []float64 // pre-emphasised microphone block
	memM, memR      float64   // pre-emphasis memories of the microphone and the reference
	memD            float64   // de-emphasis memory of the output
	main, mainCount int       // the partition holding most of the echo
	wen             []float64 // energy of each background partition
	prop            []float64 // each partition's share of the step, times m
	kf              *kalman   // the third filter, a Kalman filter that keeps the path in double talk
	kalmanHold      bool      // the Kalman filter hands the foreground nothing (a loudspeaker curve is on or asking)
	handed          int       // blocks since the Kalman filter last handed the foreground its coefficients

	// figures of the last block, for the suppressor and the stats
	farEnergy float64 // aligned reference energy of the block
	micEnergy float64
	outEnergy float64
}

func newCanceller(rate, n, m, maxLag int) (*canceller, error) {
	f, err := newFFT(2 * n)
	if err != nil {
		return nil, err
	}
	bins := n + 1
	h := maxLag + m + 1
	c := &canceller{n: n, m: m, bins: bins, rate: rate, f: f,
		hist: make([][]complex128, h), hpow: make([][]float64, h), henergy: make([]float64, h),
		xprev: make([]float64, n),
		w:     make([][]complex128, m), fg: make([][]complex128, m),
		frame: make([]float64, 2*n), yb: make([]float64, 2*n), yf: make([]float64, 2*n),
		eb: make([]float64, n), ef: make([]float64, n),
		ybuf: make([]complex128, bins), fbuf: make([]complex128, bins),
		espec: make([]complex128, bins), yspec: make([]complex128, bins),
		psum: make([]float64, bins), step: make([]float64, bins),
		eh: make([]float64, bins), yh: make([]float64, bins),
		wen: make([]float64, m), prop: make([]float64, m), micp: make([]float64, n), late: make([]float64, bins),
	}
	for i := range h {
		c.hist[i] = make([]complex128, bins)
		c.hpow[i] = make([]float64, bins)
	}
	for j := range m {
		c.w[j] = make([]complex128, bins)
		c.fg[j] = make([]complex128, bins)
	}
	c.kf = newKalman(m, bins, n)
	c.handed = kalmanLearnHold
	c.reset()
	return c, nil
}

// reset forgets the filters and the reference history.
func (c *canceller) reset() {
	for i := range c.hist {
		clear(c.hist[i])
		clear(c.hpow[i])
	}
	clear(c.henergy)
	clear(c.xprev)
	c.memM, c.memR, c.memD = 0, 0, 0
	c.clearFilters()
}

func (c *canceller) clearFilters() {
	for j := range c.w {
		clear(c.w[j])
		clear(c.fg[j])
	}
	clear(c.eh)
	clear(c.yh)
	clear(c.wen)
	clear(c.late)
	c.decay = 0
	c.pey, c.pyy, c.leak = 1, 1, 1
	c.adapted, c.sumAdapt = false, 0
	c.davg1, c.davg2, c.dvar1, c.dvar2 = 0, 0, 0, 0
	c.screwed, c.saturated = 0, 0
	c.trust = 1
	c.epoch++
	c.kf.reset()
}

// ring returns the ring index of the reference block j blocks before the newest.
func (c *canceller) ring(j int) int {
	h := len(c.hist)
	return ((c.head-j)%h + h) % h
}

// push takes the next reference block into the ring.
func (c *canceller) push(ref []float64) {
	n := c.n
	c.head = (c.head + 1) % len(c.hist)
	copy(c.frame[:n], c.xprev)
	for i, v := range ref {
		c.frame[n+i] = v - preEmphasis*c.memR
		c.memR = v
	}
	copy(c.xprev, c.frame[n:])
	X := c.hist[c.head]
	c.f.forward(X, c.frame)
	p := c.hpow[c.head]
	for k, v := range X {
		p[k] = real(v)*real(v) + imag(v)*imag(v)
	}
	c.henergy[c.head] = energy(c.frame[n:])
}

// setDelay moves the filter's read position to d blocks behind the newest reference; the
// partitions move with it so what was learned of the acoustic path stays in place.
func (c *canceller) setDelay(d int) {
	diff := d - c.delay
	if diff == 0 {
		return
	}
	c.delay = d
	c.shiftPartitions(diff)
}

// shiftPartitions moves both filters' partitions diff toward the first (away from it when
// negative): the echo now starts that many partitions earlier in the filter.
func (c *canceller) shiftPartitions(diff int) {
	c.moved += diff
	c.kf.shift(diff)
	for _, f := range [][][]complex128{c.w, c.fg} {
		if diff > 0 {
			for j := 0; j < c.m; j++ {
				if j+diff < c.m {
					copy(f[j], f[j+diff])
				} else {
					clear(f[j])
				}
			}
		} else {
			for j := c.m - 1; j >= 0; j-- {
				if j+diff >= 0 {
					copy(f[j], f[j+diff])
				} else {
					clear(f[j])
				}
			}
		}
	}
}

// relabel moves the read position by d blocks without moving what the filters learned: the
// resampler handed the ring one block more (d = 1) or one fewer (d = -1) than the
// microphone advanced, so the same reference now sits d blocks further from the newest.
// At read position 0 a block fewer is taken by moving the partitions one toward the first
// instead, when the first holds (almost) nothing of the echo. It reports whether the move
// could be made.
func (c *canceller) relabel(d int) bool {
	nd := c.delay + d
	if nd > len(c.hist)-c.m-1 {
		return false
	}
	if nd >= 0 {
		c.delay = nd
		return true
	}
	var total float64
	for _, e := range c.wen {
		total += e
	}
	if nd < -1 || !(c.wen[0] <= relabelEmpty*total) {
		return false
	}
	c.shiftPartitions(1)
	return true
}

// relabelEmpty is the share of the filter's energy a first partition may hold and still be
// dropped when the echo moves one block toward it.
const relabelEmpty = 0.01

// proportions shares the step among partitions: mostly evenly, partly by the energy each
// holds (improved proportionate MDF), so the few partitions that carry the direct sound and
// the early reflections learn fast while the reverberant tail is not stirred by noise.
func (c *canceller) proportions() {
	var total float64
	for _, e := range c.wen {
		total += e
	}
	m := float64(c.m)
	for j, e := range c.wen {
		if total <= 0 || !finite(total) {
			c.prop[j] = 1
			continue
		}
		c.prop[j] = m * ((1-propAlpha)/(2*m) + (1+propAlpha)*e/(2*total))
	}
}

// lateEcho updates and returns the per-bin power of the echo's reverberation past the
// filter's tail: the reference that left the filter's span, through the last partition's
// gain, decaying as the filter's last partitions do. Without it a room whose reverberation
// outlasts the tail leaves a residual the leakage does not explain.
func (c *canceller) lateEcho() []float64 {
	m := c.m
	if m < 4 {
		return c.late
	}
	d := 0.0
	if lo := c.wen[m-3] + c.wen[m-4]; lo > 0 {
		d = math.Sqrt((c.wen[m-1] + c.wen[m-2]) / lo)
	}
	if !finite(d) {
		d = 0
	}
	d = min(d, 0.95)
	c.decay = d
	P := c.hpow[c.ring(c.delay+m)]
	W := c.w[m-1]
	for k := range c.late {
		c.late[k] = d*c.late[k] + d*pow2(W[k])*P[k]
	}
	return c.late
}

// mainPartition returns the reference spectrum of the filter partition that holds most of
// the echo (the direct sound), looked for again every few blocks.
func (c *canceller) mainPartition() []complex128 {
	c.mainCount++
	if c.mainCount >= 10 {
		c.mainCount = 0
		best := -1.0
		for j, F := range c.fg {
			var e float64
			for _, v := range F {
				e += pow2(v)
			}
			if e > best {
				best, c.main = e, j
			}
		}
	}
	return c.hist[c.ring(c.delay+c.main)]
}

// Tuning of the foreground/background decision (the smoothing and thresholds of speexdsp's
// MDF, which are well tried on speech).
const (
	var1Smooth   = 0.36
	var2Smooth   = 0.7225
	var1Update   = 0.5
	var2Update   = 0.25
	varBacktrack = 4
	minLeak      = 0.005
)

// cancel removes the echo of the ring's reference from mic (one block) into out and writes
// the subtracted echo estimate to echo.
func (c *canceller) cancel(out, echo, micIn []float64) {
	n, m := c.n, c.m
	// The filter works on pre-emphasised signals (as speexdsp's does): speech's low
	// frequencies no longer dominate the leakage and step estimates.
	mic := c.micp
	saturated := false
	for i, v := range micIn {
		mic[i] = v - preEmphasis*c.memM
		c.memM = v
		if v >= 32000 || v <= -32000 {
			saturated = true
		}
	}
	defer c.deEmphasise(out, echo, micIn)
	clear(c.ybuf)
	clear(c.fbuf)
	clear(c.psum)
	c.proportions()
	kf := c.kf
	clear(kf.ybuf)
	// Two partitions a pass: the sums are the same, in the same order, with half the
	// loads and stores of the four accumulators.
	j := 0
	for ; j+1 < m; j += 2 {
		r0, r1 := c.ring(c.delay+j), c.ring(c.delay+j+1)
		X0, X1 := c.hist[r0], c.hist[r1]
		bins := len(X0)
		X1 = X1[:bins]
		P0, W0, F0, K0 := c.hpow[r0][:bins], c.w[j][:bins], c.fg[j][:bins], kf.w[j][:bins]
		P1, W1, F1, K1 := c.hpow[r1][:bins], c.w[j+1][:bins], c.fg[j+1][:bins], kf.w[j+1][:bins]
		yb, yf, yk, ps := c.ybuf[:bins], c.fbuf[:bins], kf.ybuf[:bins], c.psum[:bins]
		g0, g1 := c.prop[j], c.prop[j+1]
		for k, x0 := range X0 {
			x1 := X1[k]
			yb[k] = yb[k] + W0[k]*x0 + W1[k]*x1
			yf[k] = yf[k] + F0[k]*x0 + F1[k]*x1
			yk[k] = yk[k] + K0[k]*x0 + K1[k]*x1
			ps[k] = ps[k] + g0*P0[k] + g1*P1[k]
		}
	}
	for ; j < m; j++ {
		r := c.ring(c.delay + j)
		X, P, W, F, K := c.hist[r], c.hpow[r], c.w[j], c.fg[j], kf.w[j]
		yb, yf, yk, ps := c.ybuf[:len(X)], c.fbuf[:len(X)], kf.ybuf[:len(X)], c.psum[:len(X)]
		W, F, K, P = W[:len(X)], F[:len(X)], K[:len(X)], P[:len(X)]
		g := c.prop[j]
		for k, x := range X {
			yb[k] += W[k] * x
			yf[k] += F[k] * x
			yk[k] += K[k] * x
			ps[k] += g * P[k]
		}
	}
	c.f.inverse(c.yb, c.ybuf)
	c.f.inverse(c.yf, c.fbuf)
	kf.errors(c, mic)

	var sff, see, syy, sey, dbf, smm float64
	for i, v := range mic {
		yb, yf := c.yb[n+i], c.yf[n+i]
		eb, ef := v-yb, v-yf
		c.eb[i], c.ef[i] = eb, ef
		sff += ef * ef
		see += eb * eb
		syy += yb * yb
		sey += eb * yb
		dbf += (ef - eb) * (ef - eb)
		smm += v * v
	}
	sxx := c.henergy[c.ring(c.delay)]
	fn := float64(n)
	dbf += 10 * fn
	see += 1

	if !finite(sff) || !finite(see) || !finite(syy) || sff > fn*1e10 {
		c.clearFilters()
		copy(out, mic)
		clear(echo)
		c.farEnergy, c.micEnergy, c.outEnergy = sxx, smm, smm
		return
	}
	if sff > smm+fn*1e4 {
		c.screwed++
	} else {
		c.screwed = 0
	}

	// Foreground/background: the better filter makes the output.
	d := sff - see
	c.davg1 = 0.6*c.davg1 + 0.4*d
	c.davg2 = 0.85*c.davg2 + 0.15*d
	c.dvar1 = var1Smooth*c.dvar1 + 0.16*sff*dbf
	c.dvar2 = var2Smooth*c.dvar2 + 0.0225*sff*dbf
	copy(out, c.ef)
	if d*math.Abs(d) > sff*dbf || c.davg1*math.Abs(c.davg1) > var1Update*c.dvar1 || c.davg2*math.Abs(c.davg2) > var2Update*c.dvar2 {
		c.davg1, c.davg2, c.dvar1, c.dvar2 = 0, 0, 0, 0
		for j := range m {
			copy(c.fg[j], c.w[j])
		}
		// Cross-fade to the new filter's output over the block so the switch makes no click.
		for i := range out {
			a := (float64(i) + 0.5) / fn
			out[i] = (1-a)*c.ef[i] + a*c.eb[i]
		}
	} else if -d*math.Abs(d) > varBacktrack*sff*dbf || -c.davg1*math.Abs(c.davg1) > varBacktrack*c.dvar1 || -c.davg2*math.Abs(c.davg2) > varBacktrack*c.dvar2 {
		// The background went astray (near-end speech it took for echo): take back the
		// foreground, and adapt from its error.
		for j := range m {
			copy(c.w[j], c.fg[j])
		}
		see, syy, sey = sff+1, 0, 0
		for i, v := range mic {
			c.eb[i] = c.ef[i]
			c.yb[n+i] = v - c.ef[i]
			syy += c.yb[n+i] * c.yb[n+i]
			sey += c.eb[i] * c.yb[n+i]
		}
		c.davg1, c.davg2, c.dvar1, c.dvar2 = 0, 0, 0, 0
	}
	c.handed++
	if kf.compare(c, sff, see) && !c.kalmanHold {
		c.handed = 0
		for i := range out {
			a := (float64(i) + 0.5) / fn
			out[i] = (1-a)*c.ef[i] + a*c.kf.e[i]
		}
		// What reads the foreground's error and echo estimate after this (the
		// loudspeaker's curve) must see the filter the foreground now holds.
		copy(c.ef, c.kf.e)
		copy(c.yf[n:], c.kf.y[n:])
	}

	// A filter that makes the microphone louder is not trusted until it stops doing so.
	target := 1.0
	var sout float64
	for _, v := range out {
		sout += v * v
	}
	if sout > 2*smm+fn*100 {
		target = 0
	}
	var so float64
	for i, v := range mic {
		g := c.trust + (target-c.trust)*(float64(i)+1)/fn
		e := v - out[i]
		echo[i] = g * e
		out[i] = v - echo[i]
		so += out[i] * out[i]
	}
	c.trust = target
	c.farEnergy, c.micEnergy, c.outEnergy = sxx, smm, so

	if c.screwed >= 50 {
		c.clearFilters()
		return
	}
	if saturated {
		c.saturated = m + 1
	}
	if c.saturated > 0 {
		c.saturated--
		return
	}
	c.adapt(see, syy, sey, sxx)
	kf.update(c)
}

// deEmphasise takes the output back from the pre-emphasised domain and makes echo the
// difference between the microphone and the output.
func (c *canceller) deEmphasise(out, echo, micIn []float64) {
	for i, v := range out {
		o := v + preEmphasis*c.memD
		c.memD = o
		out[i] = o
		echo[i] = micIn[i] - o
	}
}

// adapt moves the background filter along its error's gradient with per-bin step sizes.
func (c *canceller) adapt(see, syy, sey, sxx float64) {
	n, m, fn := c.n, c.m, float64(c.n)
	c.f.forwardLate(c.espec, c.eb)
	c.f.forwardLate(c.yspec, c.yb[n:])

	// Leakage: how much of the error's power follows the echo estimate's, over frequency.
	sa := fn / float64(c.rate)
	var pey, pyy float64
	for k := range c.espec {
		rf := pow2(c.espec[k])
		yf := pow2(c.yspec[k])
		de, dy := rf-c.eh[k], yf-c.yh[k]
		pey += de * dy
		pyy += dy * dy
		c.eh[k] = (1-sa)*c.eh[k] + sa*rf
		c.yh[k] = (1-sa)*c.yh[k] + sa*yf
	}
	pyy = math.Sqrt(pyy)
	if pyy > 0 {
		pey /= pyy
	}
	beta0, betaMax := 2*sa*leakSpeed, 0.5*sa*leakSpeed
	a := beta0 * syy
	if a > betaMax*see {
		a = betaMax * see
	}
	a /= see
	c.pey = (1-a)*c.pey + a*pey
	c.pyy = (1-a)*c.pyy + a*pyy
	if c.pyy < 1 {
		c.pyy = 1
	}
	if c.pey < minLeak*c.pyy {
		c.pey = minLeak * c.pyy
	}
	if c.pey > c.pyy {
		c.pey = c.pyy
	}
	c.leak = c.pey / c.pyy

	// Residual-to-error ratio: the part of the error that is echo the filter still misses.
	rer := (0.0001*sxx + 3*c.leak*syy) / see
	if lo := sey * sey / (1 + see*syy); rer < lo {
		rer = lo
	}
	if rer > 0.5 {
		rer = 0.5
	}
	if !c.adapted && c.sumAdapt > float64(m) && c.leak > adaptLeak {
		c.adapted = true
	}
	reg := float64(m) * 2 * fn * 100
	if c.adapted {
		for k := range c.step {
			r := c.leak * pow2(c.yspec[k])
			e := pow2(c.espec[k]) + 1
			if r > 0.5*e {
				r = 0.5 * e
			}
			r = 0.7*r + 0.3*rer*e
			c.step[k] = stepGain * r / (e * (c.psum[k] + reg))
		}
	} else {
		rate := 0.0
		if sxx > fn*1000 {
			t := initRate * sxx
			if t > initRate*see {
				t = initRate * see
			}
			rate = t / see
		}
		c.sumAdapt += rate
		for k := range c.step {
			c.step[k] = stepGain * rate / (c.psum[k] + reg)
		}
	}

	E := c.espec
	for j := range m {
		X, W := c.hist[c.ring(c.delay+j)], c.w[j]
		W, st, E := W[:len(X)], c.step[:len(X)], E[:len(X)]
		g := c.prop[j]
		var en float64
		for k, x := range X {
			w := W[k] + scale(g*st[k], complex(real(x), -imag(x)))*E[k]
			W[k] = w
			en += pow2(w)
		}
		c.wen[j] = en
	}
	// Keep one partition a linear (not circular) convolution each block, in turn.
	j := c.constrain
	c.constrain = (c.constrain + 1) % m
	c.f.inverse(c.frame, c.w[j])
	c.f.forwardEarly(c.w[j], c.frame[:n])
}

// Step sizes (tuned on espeak-ng speech through 0.15-0.4 s rooms): the filter is normalised
// by the reference power summed over partitions, where a step of 1 is stable; the leakage
// follows 4x faster than speexdsp's, and the first blocks learn at half a full step.
const (
	stepGain = 2.0
	initRate = 0.5
	// The filter works on pre-emphasised signals, as speexdsp's does.
	preEmphasis = 0.9
	leakSpeed   = 4.0
	adaptLeak   = 0.03
	// A quarter of the step follows the partitions' energies (half or more slowed
	// convergence on speech in reverberant paths).
	propAlpha = -0.5
)
