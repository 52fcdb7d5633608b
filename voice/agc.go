package voice

import "math"

// agc brings near-end speech to a target level: it measures the level of the blocks the
// suppressor calls speech (never noise or echo alone), raises its gain slowly and lowers it
// quickly, and never goes past the maximum gain. The limiter after it keeps every sample
// below full scale without clipping: it drops at once to what a block's peak needs and
// recovers slowly.
type agc struct {
	on       bool
	target   float64 // dBFS
	maxGain  float64 // dB
	level    float64 // tracked speech level, dBFS
	haveLvl  bool
	gainDB   float64
	gain     float64 // linear gain applied at the end of the last block
	limiter  float64 // limiter gain at the end of the last block
	blockLen float64
}

const (
	agcUpPerBlock   = 0.05 // dB per 10 ms: 5 dB/s
	agcDownPerBlock = 0.5  // dB per 10 ms
	agcMinGain      = -12  // dB: loud talkers are brought down too, but not muted
	limitThreshold  = 0.9 * 32767
	limiterRelease  = 1.005 // per block, about 0.4 dB per 10 ms
)

func newAGC(on bool, target, maxGain float64, n int) *agc {
	return &agc{on: on, target: target, maxGain: maxGain, gain: 1, limiter: 1, blockLen: float64(n)}
}

// process applies the gain and the limiter to x in place; speech says whether the block
// holds near-end speech the gain may follow.
func (a *agc) process(x []float64, speech bool) {
	g0 := a.gain
	if a.on {
		if speech {
			lvl := db(energy(x)/a.blockLen) - db(32768*32768)
			if !a.haveLvl {
				a.level, a.haveLvl = lvl, true
			} else {
				a.level += 0.05 * (lvl - a.level)
			}
			want := math.Max(agcMinGain, math.Min(a.maxGain, a.target-a.level))
			switch {
			case want > a.gainDB:
				a.gainDB = math.Min(want, a.gainDB+agcUpPerBlock)
			case want < a.gainDB:
				a.gainDB = math.Max(want, a.gainDB-agcDownPerBlock)
			}
		}
		a.gain = math.Pow(10, a.gainDB/20)
	}
	g1 := a.gain
	var peak float64
	for i, v := range x {
		g := g0 + (g1-g0)*float64(i+1)/a.blockLen
		x[i] = v * g
		peak = max(peak, math.Abs(x[i]))
	}
	l0 := a.limiter
	l1 := math.Min(1, l0*limiterRelease)
	if peak*l1 > limitThreshold {
		l1 = limitThreshold / peak
	}
	for i, v := range x {
		l := l0 + (l1-l0)*float64(i+1)/a.blockLen
		if av := math.Abs(v); av*l > limitThreshold {
			l = limitThreshold / av
		}
		x[i] = v * l
	}
	a.limiter = l1
}
