package voice

import "math"

// delayEstimator finds how many blocks the echo lags the reference handed to Process: it
// correlates the block-to-block changes of the log energy in a few bands of the reference
// with those of the microphone, at every lag up to maxLag blocks. Changes (onsets and decays)
// of speech and noise are sharp in time, so the correlation peaks at the echo's delay, and
// near-end speech or noise only add uncorrelated terms. A new lag is taken when it has led
// for a while and stands clear of the others, so the estimate follows a delay jump within
// about a second of far-end speech and ignores short double talk.
type delayEstimator struct {
	maxLag int
	edges  []int       // band edges in bins
	refD   [][]float64 // ring of the reference's band log-energy changes, maxLag+1 deep
	pos    int
	refL   []float64 // previous band log energies
	micL   []float64
	micD   []float64
	corr   []float64 // smoothed correlation per lag
	vm, vr float64   // smoothed energies of the changes
	er     float64   // energy of the newest reference change
	floor  float64   // band energy below which a band is silence

	sinceRef  int // blocks since the reference was last active
	lag       int // current estimate, -1 before the first
	cand      int
	candCount int
	quality   float64 // normalised correlation at the estimate
}

const (
	delayBands   = 16
	delaySmooth  = 0.985 // per active block: a memory of about 0.7 s of far-end activity
	delayHold    = 25    // blocks a new lag must lead before it is taken
	delayMinCorr = 0.15  // normalised correlation the estimate must reach
)

func newDelayEstimator(n, maxLag int) *delayEstimator {
	d := &delayEstimator{maxLag: maxLag, refD: make([][]float64, maxLag+1),
		refL: make([]float64, delayBands), micL: make([]float64, delayBands), micD: make([]float64, delayBands),
		corr: make([]float64, maxLag+1), edges: make([]int, delayBands+1)}
	for i := range d.refD {
		d.refD[i] = make([]float64, delayBands)
	}
	// Bands from 200 Hz to 4 kHz (bin spacing is 50 Hz for 10 ms blocks at any rate).
	lo, hi := 4, min(80, n)
	for b := range d.edges {
		d.edges[b] = lo + (hi-lo)*b/delayBands
	}
	// A band of white noise at -70 dBFS in a 2n-point frame.
	per := float64(2*n) * 10 * 10
	d.floor = per * float64(hi-lo) / delayBands
	d.reset()
	return d
}

func (d *delayEstimator) reset() {
	for i := range d.refD {
		clear(d.refD[i])
	}
	clear(d.corr)
	for b := range d.refL {
		d.refL[b] = math.Log(d.floor)
		d.micL[b] = math.Log(d.floor)
	}
	d.vm, d.vr, d.er = 0, 0, 0
	d.sinceRef = d.maxLag + 1
	d.lag, d.cand, d.candCount, d.quality = -1, -1, 0, 0
}

// pushRef takes the power spectrum of the newest reference frame the canceller's ring took.
func (d *delayEstimator) pushRef(refPow []float64) {
	d.pos = (d.pos + 1) % len(d.refD)
	rd := d.refD[d.pos]
	var er float64
	for b := range delayBands {
		var sr float64
		for k := d.edges[b]; k < d.edges[b+1]; k++ {
			sr += refPow[k]
		}
		lr := math.Log(sr + d.floor)
		rd[b] = lr - d.refL[b]
		d.refL[b] = lr
		er += rd[b] * rd[b]
	}
	d.er = er
}

// relabel moves every lag by delta blocks: the ring took one reference block more (1) or
// one fewer (-1) than the microphone advanced, so the same reference sits delta blocks
// further back. What was learned moves with it.
func (d *delayEstimator) relabel(delta int) {
	switch delta {
	case 1:
		copy(d.corr[1:], d.corr)
		d.corr[0] = 0
	case -1:
		copy(d.corr, d.corr[1:])
		d.corr[len(d.corr)-1] = 0
	default:
		return
	}
	move := func(l int) int {
		if l < 0 {
			return l
		}
		return max(0, min(d.maxLag, l+delta))
	}
	d.lag, d.cand = move(d.lag), move(d.cand)
}

// jumped moves the estimate by delta blocks: the echo itself jumped (found from the filter),
// the ring's labels did not change. What was correlated before the jump stays where it was
// learned and fades; what came after is already at the new lag.
func (d *delayEstimator) jumped(delta int) {
	if d.lag >= 0 {
		d.lag = max(0, min(d.maxLag, d.lag+delta))
	}
	d.cand, d.candCount = -1, 0
}

// update takes the power spectrum of the microphone frame of the moment the newest
// reference frame (pushRef) was played, and reports whether the estimate changed.
func (d *delayEstimator) update(micPow []float64, refActive bool) bool {
	var em float64
	for b := range delayBands {
		var sm float64
		for k := d.edges[b]; k < d.edges[b+1]; k++ {
			sm += micPow[k]
		}
		lm := math.Log(sm + d.floor)
		d.micD[b] = lm - d.micL[b]
		d.micL[b] = lm
		em += d.micD[b] * d.micD[b]
	}
	er := d.er
	if refActive {
		d.sinceRef = 0
	} else if d.sinceRef <= d.maxLag {
		d.sinceRef++
	}
	if d.sinceRef > d.maxLag || !finite(er) || !finite(em) {
		return false
	}
	a := delaySmooth
	d.vm = a*d.vm + (1-a)*em
	d.vr = a*d.vr + (1-a)*er
	best, bestV := 0, math.Inf(-1)
	for lag := range d.corr {
		r := d.refD[(d.pos-lag+len(d.refD))%len(d.refD)]
		var s float64
		for b, v := range d.micD {
			s += v * r[b]
		}
		d.corr[lag] = a*d.corr[lag] + (1-a)*s
		if d.corr[lag] > bestV {
			best, bestV = lag, d.corr[lag]
		}
	}
	second := 0.0
	for lag, v := range d.corr {
		if (lag < best-2 || lag > best+2) && v > second {
			second = v
		}
	}
	norm := d.vm * d.vr
	if norm <= 0 {
		return false
	}
	q := bestV / math.Sqrt(norm)
	if q < delayMinCorr || bestV < 1.5*second {
		d.candCount = 0
		return false
	}
	if best == d.lag {
		d.quality = q
		d.candCount = 0
		return false
	}
	if d.cand >= 0 && abs(best-d.cand) <= 1 {
		d.candCount++
	} else {
		d.cand, d.candCount = best, 1
	}
	if d.candCount < delayHold {
		return false
	}
	// A neighbour of the current estimate only moves it when it is clearly better.
	if d.lag >= 0 && abs(best-d.lag) <= 1 && bestV < 1.2*d.corr[d.lag] {
		return false
	}
	d.lag, d.quality, d.candCount = best, q, 0
	return true
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
