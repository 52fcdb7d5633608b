package voice

// Tuning of the Kalman filter and of its hand-over (espeak-ng speech through the acoustics
// benchmark's rooms and the unit tests' signals; voice/README.md has the variants tried).
const (
	// kalmanA2 is the transition factor squared: the share of a state's variance kept from
	// block to block; (1-kalmanA2)|W|² is the change of the path a block may bring.
	kalmanA2 = 0.9995
	// kalmanP0 is the variance a state starts with (and a partition gets when a delay move
	// empties it), in the squared gain of a 2n-point bin of the pre-emphasised path.
	kalmanP0 = 100
	// kalmanObsSmooth is how much of the last block's near-end estimate a bin keeps.
	kalmanObsSmooth = 0.5
	// kalmanStep scales the gain (1 overshot: the partitions are constrained one a block).
	kalmanStep = 0.5
	// The foreground takes the Kalman filter's coefficients when its error, smoothed by
	// kalmanSmooth a block, is under kalmanWin times the foreground's (1: any margin, 0.7 cost
	// the 16k double talk 6.6 dB of echo loss and 0.4 dB of visitor) and the filter sees a
	// near end of at least kalmanGate times its echo estimate; the Kalman filter takes the
	// foreground's back when its error is kalmanResync times the foreground's.
	kalmanSmooth = 0.7
	kalmanWin    = 1.0
	kalmanGate   = 0.1
	kalmanResync = 4
	// The loudspeaker's curve is not learnt while the Kalman filter sees a near end as loud
	// as the echo, nor for kalmanLearnHold blocks after it handed the foreground its
	// coefficients (a linear speaker read as a curve at -36 dBFS without that hold); and the
	// Kalman filter hands nothing over while the curve is on or asking to come on (the hold
	// then cost the clipping speaker 2.6 dB of echo loss).
	kalmanLearnGate = 1
	kalmanLearnHold = 10
)

// kalman is the canceller's third filter: a partitioned-block frequency-domain Kalman filter
// (the state-space model of Enzner and Vary, partitioned as Kuech, Mabande and Enzner do).
// Every bin of every partition is a state whose error variance P is tracked; the gain divides
// by the error the filter should expect, its own uncertainty seen through the reference plus
// the near end and noise (estimated from the error that uncertainty does not explain), so a
// visitor talking over the far end slows the adaptation by itself, bin by bin, where the
// MDF's step follows a broadband leakage that double talk pulls off. The states drift by a
// transition factor A a little under 1 (process noise (1-A²)|W|²), and partitions that hold
// more of the echo keep a larger variance, so they learn faster.
//
// It runs beside the MDF's background filter and hands the foreground its coefficients
// when its error is the smaller (double talk, where the MDF loses the path); it takes the
// foreground's back when it fell far behind (a path change, which the MDF follows faster).
type kalman struct {
	w        [][]complex128 // the filter, m partitions of bins
	p        [][]float64    // state error variance per partition and bin
	obs      []float64      // near end and noise in the error, per bin (smoothed)
	phi      []float64      // scratch: the error the model expects per bin, then its inverse
	ybuf     []complex128
	y, e     []float64 // 2n echo estimate, n error
	espec    []complex128
	see      float64 // the block's error energy
	near     float64 // the near end and noise the model sees in the last error, time-domain energy
	syy      float64 // the block's echo estimate energy
	avg, fav float64 // smoothed error energies of this filter and the foreground
	cons     int     // the partition constrained next
}

func newKalman(m, bins, n int) *kalman {
	k := &kalman{w: make([][]complex128, m), p: make([][]float64, m),
		obs: make([]float64, bins), phi: make([]float64, bins), ybuf: make([]complex128, bins),
		y: make([]float64, 2*n), e: make([]float64, n), espec: make([]complex128, bins)}
	for j := range m {
		k.w[j] = make([]complex128, bins)
		k.p[j] = make([]float64, bins)
	}
	k.reset()
	return k
}

// reset forgets what was learned: every state as uncertain as at the start.
func (k *kalman) reset() {
	for j := range k.p {
		clear(k.w[j])
		fill(k.p[j], kalmanP0)
	}
	clear(k.obs)
	k.avg, k.fav = 0, 0
}

// shift moves the filter and its variances with the other filters' partitions (see
// canceller.shiftPartitions); a partition that comes in empty starts as uncertain as at the
// start.
func (k *kalman) shift(diff int) {
	m := len(k.p)
	move := func(j, from int) {
		if from >= 0 && from < m {
			copy(k.w[j], k.w[from])
			copy(k.p[j], k.p[from])
			return
		}
		clear(k.w[j])
		fill(k.p[j], kalmanP0)
	}
	if diff > 0 {
		for j := 0; j < m; j++ {
			move(j, j+diff)
		}
		return
	}
	for j := m - 1; j >= 0; j-- {
		move(j, j+diff)
	}
}

func fill(x []float64, v float64) {
	for i := range x {
		x[i] = v
	}
}

// errors computes the block's error from the echo estimate's spectrum in k.ybuf.
func (k *kalman) errors(c *canceller, mic []float64) {
	n := c.n
	c.f.inverse(k.y, k.ybuf)
	var s float64
	k.syy = 0
	for i, v := range mic {
		e := v - k.y[n+i]
		k.e[i] = e
		s += e * e
		k.syy += k.y[n+i] * k.y[n+i]
	}
	k.see = s
}

// compare hands the foreground this filter's coefficients when its error has been the
// smaller than both the foreground's (sff) and the background's (see) over the last blocks,
// and takes the foreground's when it fell far behind. It reports whether the foreground
// changed. Against the better of the two: in single talk the background is as good, and a
// hand-over there cost the speaker-beside-mic room 8 dB of echo loss at 8 kHz.
func (k *kalman) compare(c *canceller, sff, see float64) bool {
	sff = min(sff, see)
	k.avg = kalmanSmooth*k.avg + (1-kalmanSmooth)*k.see
	k.fav = kalmanSmooth*k.fav + (1-kalmanSmooth)*sff
	// Only while the far end plays: in its pauses the error is noise and the echo's tail,
	// where the filters differ by little the suppressor does not cover anyway.
	if k.see < sff && k.avg < kalmanWin*k.fav && k.nearEnd() && c.henergy[c.ring(c.delay)] > float64(c.n)*farLevel {
		for j := range c.m {
			copy(c.fg[j], k.w[j])
		}
		k.fav = k.avg
		return true
	}
	if k.avg > kalmanResync*k.fav+float64(c.n)*100 {
		for j := range c.m {
			copy(k.w[j], c.fg[j])
		}
		k.avg = k.fav
	}
	return false
}

// nearEnd reports whether the model sees a near end in the error, not far under the echo.
func (k *kalman) nearEnd() bool {
	return k.near > kalmanGate*k.syy
}

// nearEnd reports whether the Kalman filter sees a near end in the error, or handed the
// foreground its coefficients in the last kalmanLearnHold blocks.
func (c *canceller) nearEnd() bool {
	return c.kf.near > kalmanLearnGate*c.kf.syy || c.handed < kalmanLearnHold
}

// update moves the filter by the block's error and predicts the next block's variances.
func (k *kalman) update(c *canceller) {
	m, n := c.m, c.n
	c.f.forwardLate(k.espec, k.e)
	E := k.espec
	phi := k.phi
	clear(phi)
	// Two partitions a pass, the sums in the same order (as in canceller.cancel).
	j := 0
	for ; j+1 < m; j += 2 {
		X0 := c.hpow[c.ring(c.delay+j)]
		X1 := c.hpow[c.ring(c.delay+j+1)][:len(X0)]
		P0, P1, phi := k.p[j][:len(X0)], k.p[j+1][:len(X0)], phi[:len(X0)]
		for i, x0 := range X0 {
			phi[i] = phi[i] + x0*P0[i] + X1[i]*P1[i]
		}
	}
	for ; j < m; j++ {
		X := c.hpow[c.ring(c.delay+j)]
		P, phi := k.p[j][:len(X)], phi[:len(X)]
		for i, x := range X {
			phi[i] += x * P[i]
		}
	}
	// The error the model expects: half the filter's uncertainty through the reference
	// (overlap-save keeps half of the circular product's power) plus the near end and noise,
	// estimated as what of the error the uncertainty does not explain. The block's own error
	// bounds it below, so a visitor who starts talking slows the step in this very block.
	floor := float64(n)
	var near float64
	obs, E := k.obs[:len(phi)], E[:len(phi)]
	for i := range phi {
		e := pow2(E[i])
		u := 0.5 * phi[i]
		s := max(e-u, 0)
		obs[i] = kalmanObsSmooth*obs[i] + (1-kalmanObsSmooth)*s
		phi[i] = 1 / (max(u+obs[i], e) + floor)
		near += obs[i]
	}
	k.near = near / float64(n)
	for j := range m {
		r := c.ring(c.delay + j)
		X := c.hist[r]
		P, X2, W, E, phi := k.p[j][:len(X)], c.hpow[r][:len(X)], k.w[j][:len(X)], E[:len(X)], phi[:len(X)]
		for i, x := range X {
			g := P[i] * phi[i]
			w := W[i] + scale(kalmanStep*g, complex(real(x), -imag(x)))*E[i]
			W[i] = w
			// Posterior variance, then the prediction for the next block.
			pp := P[i] * (1 - 0.5*g*X2[i])
			P[i] = kalmanA2*pp + (1-kalmanA2)*pow2(w)
		}
	}
	// One partition a block is kept a linear (not circular) convolution, in turn.
	j = k.cons
	k.cons = (k.cons + 1) % m
	c.f.inverse(c.frame, k.w[j])
	c.f.forwardEarly(k.w[j], c.frame[:n])
}
