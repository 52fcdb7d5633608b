package main

import (
	"math"
	"slices"
)

// Windows of the ERLE curve: 300 ms, every 100 ms, each needing 100 ms of echo-only frames.
const (
	curveWindow = 0.3
	curveHop    = 0.1
	curveMinAct = 0.1
)

// point is one value of a figure over time.
type point struct{ t, v float64 }

// activity marks the 10 ms frames where each part of the mic signal is present.
type activity struct {
	frame     int
	far, near []bool // echo (far end) and near-end speech within 30 dB of their peaks
	quiet     []bool // neither: only the background noise is there
	echoOnly  []bool // far and not near
	echoE     []float64
	noiseE    []float64
	nearE     []float64
	firstFar  int // first far-active frame, -1 for none
	firstNear int
	rate      int
}

func newActivity(sig *signals, rate int) *activity {
	fr := rate / 100
	a := &activity{frame: fr, rate: rate, echoE: frameEnergy(sig.echo, fr), nearE: frameEnergy(sig.near, fr),
		noiseE: frameEnergy(sig.noise, fr)}
	n := len(a.echoE)
	a.far, a.near, a.quiet, a.echoOnly = make([]bool, n), make([]bool, n), make([]bool, n), make([]bool, n)
	pe, pn := slices.Max(a.echoE), slices.Max(a.nearE)
	a.firstFar, a.firstNear = -1, -1
	for i := range n {
		a.far[i] = pe > 0 && a.echoE[i] > pe*1e-3
		a.near[i] = pn > 0 && a.nearE[i] > pn*1e-3
		// Quiet: what echo or speech there is lies 10 dB under the noise in this frame.
		a.quiet[i] = a.echoE[i] < 0.1*a.noiseE[i] && a.nearE[i] < 0.1*a.noiseE[i]
		a.echoOnly[i] = a.far[i] && !a.near[i]
		if a.far[i] && a.firstFar < 0 {
			a.firstFar = i
		}
		if a.near[i] && a.firstNear < 0 {
			a.firstNear = i
		}
	}
	return a
}

// erleCurve is 10 log10(echo energy / output energy) over the echo-only frames of each
// window. out has had the peer's delay taken off.
func erleCurve(a *activity, out []float64) []point {
	oe := frameEnergy(out, a.frame)
	win, hop, need := int(curveWindow*100), int(curveHop*100), int(curveMinAct*100)
	var c []point
	for end := win; end <= len(oe) && end <= len(a.echoE); end += hop {
		var se, so float64
		var k int
		for i := end - win; i < end; i++ {
			if a.echoOnly[i] {
				se += a.echoE[i]
				so += oe[i]
				k++
			}
		}
		if k >= need && so > 0 {
			c = append(c, point{float64(end) / 100, 10 * math.Log10(se/so)})
		}
	}
	return c
}

// timeTo is how long after from (seconds) the curve first reaches db, counting a window
// only when it starts at or after from; NaN when it never does.
func timeTo(c []point, from, db float64) float64 {
	for _, p := range c {
		if p.t-curveWindow >= from-1e-9 && p.v >= db {
			return p.t - from
		}
	}
	return math.NaN()
}

// medianFrom is the median of the curve's values over windows starting at or after from.
func medianFrom(c []point, from float64) float64 {
	var v []float64
	for _, p := range c {
		if p.t-curveWindow >= from-1e-9 {
			v = append(v, p.v)
		}
	}
	return median(v)
}

// echoLoss is the total echo loss over the echo-only frames from second from to the end:
// echo energy at the mic against the output's energy, both summed over all those frames, so
// the loudest residual bursts weigh as they do for a listener. Nothing is subtracted: the
// output's own noise (or comfort noise) counts as echo, so the figure can only err low; the
// scenario's ceiling says how high it could go.
func echoLoss(a *activity, out []float64, from float64) float64 {
	oe := frameEnergy(out, a.frame)
	var se, so float64
	for i := int(from * 100); i < len(a.echoE) && i < len(oe); i++ {
		if a.echoOnly[i] {
			se += a.echoE[i]
			so += oe[i]
		}
	}
	if se == 0 || so == 0 {
		return math.NaN()
	}
	return 10 * math.Log10(se/so)
}

// nearAttenuation is the median over 20 ms blocks (where the near end talks, and with
// doubleTalk only where the far end does too) of how much of the clean near-end speech
// survives in the output: -20 log10 of the least-squares gain of near in out. Echo and
// noise left in the output do not correlate with the near end, so they neither help nor
// hurt the figure.
func nearAttenuation(a *activity, near, out []float64, doubleTalk bool) float64 {
	blk := 2 * a.frame
	var v []float64
	for b := 0; (b+1)*blk <= len(near) && (b+1)*blk <= len(out); b++ {
		i := 2 * b
		if !a.near[i] || !a.near[i+1] || doubleTalk && !(a.far[i] && a.far[i+1]) {
			continue
		}
		var xy, xx float64
		for j := b * blk; j < (b+1)*blk; j++ {
			xy += near[j] * out[j]
			xx += near[j] * near[j]
		}
		g := math.Max(xy/xx, 1e-3)
		v = append(v, -20*math.Log10(g))
	}
	return median(v)
}

// noiseReduction is how much quieter the output is than the mic's background over the quiet
// frames after the first two seconds (the suppressors' noise estimates need that long).
func noiseReduction(a *activity, out []float64) float64 {
	oe := frameEnergy(out, a.frame)
	var sn, so float64
	for i := 200; i < len(a.noiseE) && i < len(oe); i++ {
		if a.quiet[i] {
			sn += a.noiseE[i]
			so += oe[i]
		}
	}
	if sn == 0 || so == 0 {
		return math.NaN()
	}
	return 10 * math.Log10(sn/so)
}

// peerDelay is the lag (0 to maxLag samples) at which out best matches what should pass
// through: the near end and the noise. A preprocessor that adds a frame of delay is then
// measured on its own timing, not penalised for it.
func peerDelay(sig *signals, out []float64, maxLag int) int {
	best, bestC := 0, math.Inf(-1)
	for lag := 0; lag <= maxLag; lag++ {
		var c, e float64
		for i := 0; i+lag < len(out); i++ {
			p := sig.near[i] + sig.noise[i]
			c += p * out[i+lag]
			e += out[i+lag] * out[i+lag]
		}
		if e > 0 {
			c /= math.Sqrt(e)
		}
		if c > bestC {
			best, bestC = lag, c
		}
	}
	return best
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	v = slices.Clone(v)
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}
