package voice

// jumpFinder notices the echo's delay jumping by whole blocks (an xrun drops or repeats a
// period on one card; the queues moved) and moves the filter's read position by the jump, so
// the filter keeps what it learned: the path itself did not change, only where it starts.
// The delay estimator follows such a jump too, but only after 0.5-0.9 s of far-end sound and
// in steps of one block (lags 0, 1, 2 for +20 ms), each within the two blocks of slack, so
// the filter was never moved and learned the path again two partitions on (1.3 s to 20 dB).
//
// While a converged filter's output suddenly holds most of the microphone's power, the
// foreground filter is tried at read positions up to jumpMax blocks either side: a jump shows
// as one of them cancelling far better than the filter where it reads. Visitors and changed
// rooms make every position about as bad; a steady tone makes them about as good.
type jumpFinder struct {
	spec  []complex128 // bins
	y     []float64    // 2n
	cand  int          // the position that won the last tried blocks, relative to the filter's
	votes int          // tried blocks it won clearly, no other position winning between
	rest  int          // blocks before the next jump may be taken
}

const (
	jumpMax      = 3   // blocks either side: 30 ms, a lost or repeated 20 ms period and some
	jumpERLE     = 12  // dB the filter must have shown (its recent peak)
	jumpFallRate = 10  // the block's error at least a tenth of the microphone (ERLE under 10 dB)
	jumpBetter   = 8   // a position must leave an eighth of the error (9 dB less)
	jumpVotes    = 3   // tried blocks it must win clearly, no other winning clearly between
	jumpCancel   = 2   // and cancel some of the microphone itself (3 dB): the path as it was, moved
	jumpRest     = 100 // blocks after a jump before another is looked for (see check)
)

func newJumpFinder(n int) *jumpFinder {
	return &jumpFinder{spec: make([]complex128, n+1), y: make([]float64, 2*n)}
}

func (j *jumpFinder) reset() { j.cand, j.votes, j.rest = 0, 0, 0 }

// check runs after the canceller's block; erleHold is the filter's recent peak ERLE. It
// reports the jump found (blocks, later positive), 0 for none.
func (j *jumpFinder) check(c *canceller, far bool, erleHold float64) int {
	if j.rest > 0 {
		j.rest--
	}
	if !far || erleHold < jumpERLE || j.rest > 0 {
		j.votes = 0
		return 0
	}
	var sff, smm float64
	for i, v := range c.micp {
		sff += c.ef[i] * c.ef[i]
		smm += v * v
	}
	if !(sff*jumpFallRate > smm) || smm <= 0 {
		j.votes = 0
		return 0
	}
	best, bestE := 0, sff
	for k := -jumpMax; k <= jumpMax; k++ {
		d := c.delay + k
		if k == 0 || d < 0 || d+c.m > len(c.hist)-1 {
			continue
		}
		if e := j.errorAt(c, d); e < bestE {
			best, bestE = k, e
		}
	}
	if best == 0 || !(bestE*jumpBetter < sff) || !(bestE*jumpCancel < smm) {
		// Not clear this block (the echo's gap right after a jump, a syllable's end):
		// only another position winning clearly starts the count again.
		return 0
	}
	if best == j.cand && j.votes > 0 {
		j.votes++
	} else {
		j.cand, j.votes = best, 1
	}
	if j.votes < jumpVotes {
		return 0
	}
	// The filter re-learns what moved with it over the next second: another jump found in
	// that time is the filter's own transition (seen as a jump back and forth).
	j.votes, j.rest = 0, jumpRest
	return best
}

// errorAt is the energy of the pre-emphasised microphone block less the foreground filter's
// echo estimate, the filter reading from d blocks before the newest reference.
func (j *jumpFinder) errorAt(c *canceller, d int) float64 {
	clear(j.spec)
	// Two partitions a pass, the sums in the same order (as in canceller.cancel).
	p := 0
	for ; p+1 < len(c.fg); p += 2 {
		X0 := c.hist[c.ring(d+p)]
		X1, F0, F1, s := c.hist[c.ring(d+p+1)][:len(X0)], c.fg[p][:len(X0)], c.fg[p+1][:len(X0)], j.spec[:len(X0)]
		for k, x0 := range X0 {
			s[k] = s[k] + F0[k]*x0 + F1[k]*X1[k]
		}
	}
	for ; p < len(c.fg); p++ {
		X := c.hist[c.ring(d+p)]
		F, s := c.fg[p][:len(X)], j.spec[:len(X)]
		for k, x := range X {
			s[k] += F[k] * x
		}
	}
	c.f.inverse(j.y, j.spec)
	n := c.n
	var e float64
	for i, v := range c.micp {
		r := v - j.y[n+i]
		e += r * r
	}
	return e
}
