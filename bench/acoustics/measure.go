package main

import "math"

// figures are one peer's results on one scenario. NaN means "does not apply" (or, for a
// time, "never reached": see never).
type figures struct {
	erle, t20, reconv, echoLoss float64
	tclw                        float64 // echo loss over 1/3-octave bands, TCLw-like
	worstHz, worstDB            float64 // the band letting most echo through, and its loss
	linERLE                     float64 // the linear filter alone, when the peer exposes it
	estERLE                     float64 // the peer's own ERLE estimate (median), when it gives one
	halfDuplex                  float64 // % of double-talk frames with the mic attenuated half duplex
	nearAtt, nr                 float64
	nsPerFrame, allocsPerFrame  float64
	curve, linCurve             []point
	lag                         int // the peer's delay, samples
	outDB, micDB                float64
	never                       bool // a time to 20 dB applies but was not reached
}

func measure(s scenario, sig *signals, a *activity, r *result) figures {
	nan := math.NaN()
	f := figures{erle: nan, t20: nan, reconv: nan, echoLoss: nan, tclw: nan, worstHz: nan, worstDB: nan, linERLE: nan, estERLE: nan, halfDuplex: nan, nearAtt: nan, nr: nan,
		nsPerFrame: r.nsPerFrame, allocsPerFrame: r.allocsPerFrame}
	out := toFloat(r.out)
	f.lag = peerDelay(sig, out, 4*s.rate/100)
	out = append(out[f.lag:], make([]float64, f.lag)...)
	f.outDB, f.micDB = 20*math.Log10(rms(out)), 20*math.Log10(rms(sig.mic))
	if s.far != "" {
		f.curve = erleCurve(a, out)
		f.erle = medianFrom(f.curve, s.steadyFrom)
		f.t20 = timeTo(f.curve, float64(a.firstFar)/100, 20)
		f.never = math.IsNaN(f.t20)
		if s.change != changeNone {
			f.reconv = timeTo(f.curve, s.changeAt, 20)
			f.never = f.never || math.IsNaN(f.reconv)
		}
		f.echoLoss = echoLoss(a, out, s.steadyFrom)
		f.tclw, f.worstHz, f.worstDB = bandEchoLoss(a, sig.echo, out, s.steadyFrom, s.rate)
		if r.erleEst != nil {
			var v []float64
			for i := int(s.steadyFrom * 100); i < len(r.erleEst) && i < len(a.echoOnly); i++ {
				if a.echoOnly[i] {
					v = append(v, r.erleEst[i])
				}
			}
			f.estERLE = median(v)
		}
		if r.linear != nil {
			f.linCurve = erleCurve(a, toFloat(r.linear))
			f.linERLE = medianFrom(f.linCurve, s.steadyFrom)
		}
	}
	if s.near != "" {
		f.nearAtt = nearAttenuation(a, sig.near, out, s.far != "")
		if r.halfDuplex != nil && s.far != "" {
			var dt, hd int
			for i := range min(len(r.halfDuplex), len(a.near)) {
				if a.near[i] && a.far[i] {
					dt++
					if r.halfDuplex[i] {
						hd++
					}
				}
			}
			if dt > 0 {
				f.halfDuplex = 100 * float64(hd) / float64(dt)
			}
		}
	}
	if s.noise != noiseNone {
		f.nr = noiseReduction(a, out)
	}
	return f
}
