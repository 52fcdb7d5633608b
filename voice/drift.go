package voice

import (
	"math"
	"math/cmplx"
)

// driftTracker estimates the clock ratio between the capture and the playback card from how
// the adaptive filter moves: every driftPeriod blocks of far-end activity it compares the
// background filter with a snapshot taken one period before. A path that slid by d samples
// turns each bin's cross-spectrum by -pi*k*d/n: the phase step between neighbouring bins
// gives d coarsely, and a least-squares line through the phases left once that is taken out
// gives it to a few hundredths of a sample. The filter sees what the resampler leaves of
// the drift, so the tracker is a loop that integrates that residual until the filter stands
// still. Periods where the filter moves for other reasons are not believed: while it is
// still converging, in noise (the echo less than 25 dB over the background), and around a
// change of path (its ERLE falling, or the delay estimate moving it).
type driftTracker struct {
	n, bins int
	snap    [][]complex128 // the background filter at the start of the period
	cs      []complex128   // scratch: the filter's cross-spectrum with the snapshot
	epoch   int            // the canceller's epoch when the snapshot was taken
	moved   int            // and how far its partitions had been moved
	have    bool
	blocks  int     // blocks since the snapshot
	active  int     // of them, blocks the filter adapted on far-end sound
	ratio   float64 // the ratio the resampler reads at
	ppm     float64 // the estimate, for the stats
	good    int     // periods believed
	warm    bool    // a first good period was seen (and not believed)
	calm    int     // periods still to pass before one is believed (the path changed)
	fall    float64 // how far the filter's ERLE fell below its recent peak in the period, dB
	last    float64 // the last correction, samples per period
	curve   float64 // the loudspeaker curve's parameter when the period began
}

// Drift tracking: how often the filter is compared and what a measurement must show to be
// believed.
const (
	driftPeriod    = 50   // blocks: 0.5 s
	driftActive    = 30   // blocks of far-end activity the period needs
	driftGain      = 0.5  // share of a period's residual slide corrected at once
	driftMinERLE   = 8    // dB: a filter that cancels nothing moves for other reasons
	driftMinENR    = 25   // dB of echo over the background: in more noise the filter's phase wanders
	driftFall      = 16   // dB of ERLE lost in a period: the path changed
	driftUnwind    = 0.5  // share of a correction the filter's lag gives back in the next period
	driftCoherence = 0.8  // phase steps agreeing across bins, 0..1
	driftSimilar   = 0.5  // the filter's shape kept over the period, 0..1
	driftMaxPPM    = 1000 // two cheap crystals at their worst, and some
	driftMaxStep   = 0.25 // of a block: a larger slide is a path change, not drift
)

func newDriftTracker(n, m int) *driftTracker {
	d := &driftTracker{n: n, bins: n + 1, snap: make([][]complex128, m), cs: make([]complex128, n+1), ratio: 1}
	for j := range d.snap {
		d.snap[j] = make([]complex128, n+1)
	}
	return d
}

// reset forgets the period under way (the ratio stays: it belongs to the sound cards).
func (d *driftTracker) reset() {
	d.have, d.blocks, d.active, d.warm, d.calm = false, 0, 0, false, 0
}

// update is called once per block after the canceller adapted; it returns the ratio to
// resample the reference by.
func (d *driftTracker) update(c *canceller, far bool, erle, erleNow, enr, curve float64) float64 {
	if !d.have || c.epoch != d.epoch {
		d.take(c)
		return d.ratio
	}
	d.blocks++
	if far && c.adapted && c.saturated == 0 {
		d.active++
		d.fall = max(d.fall, erle-erleNow)
	}
	if d.blocks < driftPeriod {
		return d.ratio
	}
	if d.fall > driftFall || curve > 0 || d.curve > 0 {
		// The filter's ERLE fell far below its recent peak: the path changed or jumped
		// (the delay estimate may not even move the filter: it re-learns a few partitions
		// on); or a loudspeaker curve is learnt (a speaker that clips): the filter then
		// moves with the curve and with what it leaves unmodelled, by several samples a
		// period on the benchmark's clipping speaker. Neither this period nor the next
		// shows the drift alone.
		d.calm = 2
	}
	if d.calm > 0 {
		d.calm--
	} else if d.active >= driftActive && erle >= driftMinERLE && enr >= driftMinENR {
		slide, ok := d.measure(c.w, c.moved-d.moved)
		switch {
		case !ok:
		case !d.warm:
			// The first period the filter passes the tests in, it is still settling: its
			// phase moves for that too.
			d.warm = true
		default:
			// The path slid later by slide samples in blocks*n captured samples: the
			// reference is still read that much too fast. Part of the last correction
			// shows up again as the filter gives back the lag it had behind the moving
			// path: that part is no residual.
			slide -= driftUnwind * d.last
			d.last = driftGain * slide
			d.good++
			r := d.ratio - driftGain*slide/float64(d.blocks*d.n)
			d.ratio = math.Max(1-driftMaxPPM*1e-6, math.Min(1+driftMaxPPM*1e-6, r))
			d.ppm = (1/d.ratio - 1) * 1e6
		}
	}
	d.take(c)
	d.curve = curve
	return d.ratio
}

func (d *driftTracker) take(c *canceller) {
	for j, w := range c.w {
		copy(d.snap[j], w)
	}
	d.epoch, d.moved, d.have, d.blocks, d.active, d.fall = c.epoch, c.moved, true, 0, 0, 0
}

// measure returns how many samples the filter w slid (later is positive) since the
// snapshot, and whether the comparison is to be believed. The delay estimator moved the
// partitions by shift toward the first since (what was in partition j+shift is in j).
func (d *driftTracker) measure(w [][]complex128, shift int) (float64, bool) {
	var prev complex128
	var step complex128
	var stepMag, cMag, ew, es float64
	for k := range d.bins {
		var c complex128
		for j, W := range w {
			if j+shift < 0 || j+shift >= len(d.snap) {
				continue
			}
			s := d.snap[j+shift][k]
			c += W[k] * complex(real(s), -imag(s))
			ew += pow2(W[k])
			es += pow2(s)
		}
		if k > 0 {
			step += c * complex(real(prev), -imag(prev))
			stepMag += cmplx.Abs(c) * cmplx.Abs(prev)
		}
		cMag += cmplx.Abs(c)
		prev = c
		d.cs[k] = c
	}
	if stepMag <= 0 || ew <= 0 || es <= 0 || !finite(stepMag) {
		return 0, false
	}
	if cmplx.Abs(step) < driftCoherence*stepMag || cMag < driftSimilar*math.Sqrt(ew*es) {
		return 0, false
	}
	slide := -cmplx.Phase(step) * float64(d.n) / math.Pi
	if math.Abs(slide) > driftMaxStep*float64(d.n) {
		return 0, false
	}
	// The steps between neighbours weigh every bin alike; a slide turns the high bins
	// most. With the coarse slide taken out, what phase is left in each bin is small and
	// a least-squares line through it (bins weighted by their magnitude and frequency)
	// gives the rest more precisely.
	var num, den float64
	for k, c := range d.cs {
		fk := float64(k)
		r := c * cmplx.Rect(1, math.Pi*fk*slide/float64(d.n))
		a := cmplx.Abs(r)
		num += a * fk * cmplx.Phase(r)
		den += a * fk * fk
	}
	if den > 0 {
		slide -= num / den * float64(d.n) / math.Pi
	}
	return slide, true
}
