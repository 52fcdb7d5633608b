package voice

import "math"

// suppressor is the per-band gain stage after the linear filter: it removes the residual
// echo (the echo estimate's power times the filter's leakage, with a decaying memory for the
// reverberation past the filter's tail) and, when asked, stationary noise, with a Wiener gain
// on a decision-directed a-priori SNR so speech in a band passes whole. Where the echo is
// pulled below the background, comfort noise of the background's spectrum fills the hole, so
// the far end hears a steady background instead of gating. It works on 50%-overlapped
// sqrt-Hann frames of two blocks, which delays the microphone by one block.
type suppressor struct {
	n    int
	f    *fft
	win  []float64
	eold []float64
	yold []float64
	ola  []float64
	buf  []float64
	E, Y []complex128

	noise []float64 // per-bin background power
	psm   []float64 // smoothed error power, what the noise tracker follows
	resid []float64 // per-bin residual echo power
	clean []float64 // last block's cleaned power, for the decision-directed SNR
	sxx   []float64 // smoothed far-end, error and cross spectra for their coherence
	see   []float64
	sxe   []complex128
	count int

	noiseOn    bool
	noiseOver  float64 // the background estimate (a minimum) scaled up to its mean and beyond
	noiseFloor float64 // linear gain floor for noise
	rng        uint64

	// figures of the last block
	suppression float64 // dB
	noiseDB     float64 // dBFS
	noiseEnergy float64 // per block, in the time domain
	speech      bool    // the block holds more than background and echo

	rl, rc       []float64 // this block's residual echo estimates: leakage and late, coherence
	domLo, domHi int       // bins of the band the near end's dominance is judged on
	nearHold     int       // blocks the near end still counts as dominant
	nearRun      int       // blocks in a row that looked dominant
	rexp         []float64 // the residual echo the filter's demonstrated ERLE leaves
	xpeak        float64   // recent peak of the far end's in-band power at the main partition
	erleInv      float64   // 1 / the linear filter's demonstrated ERLE (set by the processor)
	kalmanNear   float64   // the Kalman filter's near end over its echo estimate, this block (set by the processor)
	nearExt      int       // blocks the hold was stretched by since the near end last dominated
}

const (
	echoFloor     = 0.01 // -40 dB: the deepest the echo is pulled
	echoOverSub   = 2    // the leakage's residual estimate is trusted to within 3 dB
	residDecay    = 0.7  // what was residual echo decays by 1.5 dB per block at most
	residMin      = 0.2  // the filter's own leakage estimate is trusted down to 7 dB only
	lateWeight    = 1.5  // the modelled reverberation past the tail, 1.8 dB over (porch 1/3-octave 44.6 -> 46.2 dB)
	ddSmooth      = 0.8  // decision-directed weight of the last block's clean power
	cohSmooth     = 0.85 // about 7 blocks of cross-spectra for the coherence
	cohBias       = 0.35 // coherence unrelated signals show over that many blocks
	cohMinShare   = 1e-6 // -60 dB: a far-end band weaker than that against the far end's total is not coherent echo
	noiseUp       = 1.007
	noiseInitBlks = 20
	// The far end is in its tail when its in-band power at the main partition is 20 dB
	// under its recent peak (released 0.5 dB per block); the memory then decays as the
	// filter's last partitions do (at most 0.2 dB per block).
	tailDrop      = 0.01
	tailPeakDecay = 0.9
	tailMaxDecay  = 0.95
	nlWeight      = 1 // the clipping term, times the share of echo the filter leaves (4 cost the near end 0.6 dB more)

	// The near end dominates a block when the error over 300 Hz-4 kHz is 10 dB above the
	// residual echo the filter's demonstrated ERLE (its recent peak) leaves plus the
	// background, and above the conservative residual estimate too, for two blocks in a row;
	// it stays so for three blocks after. Each condition alone also fired on single-talk
	// blocks (the far end's onsets, the porch's reverberation), whose echo it let through.
	// A filter whose leakage is above 0.3 has lost the path (a delay jump, a door opened):
	// its residual is echo, not a visitor.
	nearDominant    = 10
	nearOverCons    = 1
	nearOnsetBlocks = 2
	nearLeak        = 0.3
	nearHoldBlocks  = 4
	// The Kalman filter's own split of its error (the near end and noise its uncertainty
	// does not explain, against its echo estimate) is a second witness: above 0.5 it
	// stretches the hold by up to ten blocks, over the visitor's quieter syllables. (Taking
	// it for an onset as well cost the porch 15 dB and the echo-path change 10-14 dB: a
	// filter whose variances have converged reads echo it misses as a near end.)
	nearKalmanHold = 0.5
	nearExtBlocks  = 10
	kalmanTrust    = 1.5
	// While the near end dominates, the leakage, memory and reverberation estimates are
	// taken 13 dB lower and without the over-subtraction; the coherent part stays whole.
	nearOverSub    = 1
	nearResidScale = 0.05
)

func newSuppressor(n int, noise NoiseLevel, seed uint64) (*suppressor, error) {
	f, err := newFFT(2 * n)
	if err != nil {
		return nil, err
	}
	bins := n + 1
	s := &suppressor{n: n, f: f, win: make([]float64, 2*n), eold: make([]float64, n), yold: make([]float64, n),
		ola: make([]float64, n), buf: make([]float64, 2*n), E: make([]complex128, bins), Y: make([]complex128, bins),
		noise: make([]float64, bins), psm: make([]float64, bins), resid: make([]float64, bins), clean: make([]float64, bins),
		sxx: make([]float64, bins), see: make([]float64, bins), sxe: make([]complex128, bins),
		rl: make([]float64, bins), rc: make([]float64, bins), rexp: make([]float64, bins),
		// Frames of two 10 ms blocks: bins are 50 Hz apart at any rate.
		domLo: 300 / 50, domHi: min(bins, 4000/50),
		rng: seed | 1, noiseFloor: 1, erleInv: 1}
	for i := range s.win {
		s.win[i] = math.Sin(math.Pi * (float64(i) + 0.5) / float64(2*n))
	}
	// The floors are also the comfort noise's level under the echo: at -12 dB (low) the
	// background left while only the far end talks read as echo 5 dB above what -20 dB
	// leaves (double talk with road noise: 27.7 against 33.0 dB ERLE), for a visitor
	// 0.1 dB louder.
	switch noise {
	case NoiseLow:
		s.noiseOn, s.noiseFloor, s.noiseOver = true, math.Pow(10, -20.0/20), 2.5
	case NoiseHigh:
		s.noiseOn, s.noiseFloor, s.noiseOver = true, math.Pow(10, -26.0/20), 5
	}
	return s, nil
}

// process takes one block of the linear filter's output e and its echo estimate y (nil when
// there is no filter), with the filter's leakage and the far end's spectrum at the echo's
// main delay (nil without one) and the modelled reverberation past the filter's tail. It
// writes the block one block late to out.
func (s *suppressor) process(out, e, y []float64, leak float64, x []complex128, late []float64, decay float64) {
	n := s.n
	for i := range n {
		s.buf[i] = s.win[i] * s.eold[i]
		s.buf[n+i] = s.win[n+i] * e[i]
	}
	copy(s.eold, e)
	s.f.forward(s.E, s.buf)
	if y != nil {
		for i := range n {
			s.buf[i] = s.win[i] * s.yold[i]
			s.buf[n+i] = s.win[n+i] * y[i]
		}
		copy(s.yold, y)
		s.f.forward(s.Y, s.buf)
	}
	s.count++
	// A loudspeaker driven into clipping adds harmonics where the linear echo estimate has
	// none: a share of the estimate's total power, spread flat, as large as the filter's
	// demonstrated ERLE says the echo is not linear.
	var nl float64
	if y != nil {
		for _, v := range s.Y {
			nl += pow2(v)
		}
		nl *= nlWeight * s.erleInv / float64(len(s.Y))
	}
	// After the far end stops, what is left at the microphone is the room's reverberation,
	// which outlasts the filter's tail: the residual memory then decays as the room does.
	var xs float64
	if x != nil {
		for _, v := range x[s.domLo:s.domHi] {
			xs += pow2(v)
		}
	}
	s.xpeak = max(xs, tailPeakDecay*s.xpeak)
	tail := x != nil && xs < tailDrop*s.xpeak
	rd := residDecay
	if tail {
		rd = max(residDecay, min(decay, tailMaxDecay))
	}
	// The coherence says nothing of how loud the far end is in a band: two steady tones are
	// coherent however weak one of them is. A band the far end holds next to nothing of
	// (a pure tone's leakage once the resampler interpolates, 165 dB under its total) cannot
	// carry an echo worth taking the visitor's speech in that band for.
	var xtot float64
	for k, v := range x {
		xtot += cohSmooth*s.sxx[k] + (1-cohSmooth)*pow2(v)
	}
	var pin, pout, pnoise, presid float64
	var sdom, rdom, cdom float64
	for k, ev := range s.E {
		pe := pow2(ev)
		var r float64
		var rc float64
		if y != nil {
			r = max(max(leak, residMin)*pow2(s.Y[k])+nl, rd*s.resid[k])
		}
		if late != nil {
			// The filter's frames are rectangular and twice as long as the window's energy.
			r += lateWeight * 0.5 * late[k]
		}
		if x != nil {
			// The part of the error coherent with the far end is echo, whether or not the
			// filter has learned that band yet.
			xv := x[k]
			s.sxx[k] = cohSmooth*s.sxx[k] + (1-cohSmooth)*pow2(xv)
			s.see[k] = cohSmooth*s.see[k] + (1-cohSmooth)*pe
			s.sxe[k] = scale(cohSmooth, s.sxe[k]) + scale(1-cohSmooth, complex(real(xv), -imag(xv)))*ev
			coh := pow2(s.sxe[k]) / (s.sxx[k]*s.see[k] + 1e-9)
			// Unrelated signals still show a coherence of about 1/(blocks averaged).
			coh = max(0, (min(coh, 1)-cohBias)/(1-cohBias))
			if s.sxx[k] < cohMinShare*xtot {
				coh = 0
			}
			rc = coh * pe
		}
		s.resid[k] = max(r, rc)
		s.rl[k], s.rc[k] = r, rc
		// Background: the minimum of the smoothed power, rising slowly.
		s.psm[k] = 0.7*s.psm[k] + 0.3*pe
		switch {
		case s.count == 1:
			s.noise[k], s.psm[k] = pe, pe
		case s.count <= noiseInitBlks:
			s.noise[k] = min(s.noise[k], s.psm[k])
		case s.psm[k] < s.noise[k]:
			s.noise[k] = 0.7*s.noise[k] + 0.3*s.psm[k]
		case r < 0.5*s.psm[k]:
			s.noise[k] *= noiseUp
		}
		if k >= s.domLo && k < s.domHi {
			sdom += pe
			ex := pow2(s.Y[k]) * s.erleInv
			if late != nil {
				ex += 0.5 * late[k]
			}
			s.rexp[k] = max(ex, residDecay*s.rexp[k])
			rdom += s.rexp[k] + s.noise[k]
			cdom += max(echoOverSub*r, rc) + s.noise[k]
		}
	}
	// Near end dominant: the error holds far more than the residual echo and background
	// estimates explain, over the speech band. Then the estimates' margins (kept for single
	// talk, where they buy echo loss) would cut the visitor, and the echo left under their
	// speech is masked by it.
	if y != nil && leak < nearLeak && sdom > nearDominant*rdom && sdom > nearOverCons*cdom {
		s.nearRun++
	} else {
		s.nearRun = 0
	}
	switch {
	case s.nearRun >= nearOnsetBlocks:
		s.nearHold, s.nearExt = nearHoldBlocks, 0
	case s.nearHold == 1 && s.kalmanNear > nearKalmanHold && s.nearExt < nearExtBlocks:
		s.nearExt++
	case s.nearHold > 0:
		s.nearHold--
	}
	over, rmin := float64(echoOverSub), 1.0
	if s.nearHold > 0 {
		over, rmin = nearOverSub, nearResidScale
	}
	for k, ev := range s.E {
		pe := pow2(ev)
		r, rc := rmin*s.rl[k], s.rc[k]
		nz := 0.0
		if s.noiseOn {
			nz = s.noiseOver * s.noise[k]
		}
		interf := nz + max(over*r, rc) + 1e-3
		r = max(r, rc)
		post := pe / interf
		prior := ddSmooth*s.clean[k]/interf + (1-ddSmooth)*max(post-1, 0)
		g := prior * prior / (1 + prior*prior)
		fl := 1.0
		if nz+r > 0 {
			fl = math.Sqrt((s.noiseFloor*s.noiseFloor*nz + echoFloor*echoFloor*r) / (nz + r))
		}
		if g < fl {
			g = fl
		}
		s.clean[k] = g * g * pe
		v := scale(g, ev)
		// Comfort noise where the gain went below the noise floor's.
		if g < s.noiseFloor {
			cn := s.noiseFloor * s.noiseFloor * s.noise[k] * (1 - (g*g)/(s.noiseFloor*s.noiseFloor))
			a := math.Sqrt(cn / 2)
			v += complex(a*s.uniform(), a*s.uniform())
		}
		s.E[k] = v
		pin += pe
		pout += pow2(v)
		pnoise += s.noise[k]
		presid += r
	}
	s.f.inverse(s.buf, s.E)
	for i := range n {
		out[i] = s.ola[i] + s.win[i]*s.buf[i]
		s.ola[i] = s.win[n+i] * s.buf[n+i]
	}
	s.suppression = db(pin+1) - db(pout+1)
	// White noise of variance v gives E|E_k|^2 = v*n through the window.
	s.noiseEnergy = pnoise / float64(len(s.E))
	s.noiseDB = db(s.noiseEnergy/float64(n)) - db(32768*32768)
	s.speech = pin > 4*(pnoise+echoOverSub*presid)+float64(n)
}

// uniform is a cheap deterministic random number in [-1.7, 1.7) (unit variance).
func (s *suppressor) uniform() float64 {
	s.rng ^= s.rng << 13
	s.rng ^= s.rng >> 7
	s.rng ^= s.rng << 17
	return (float64(s.rng>>11)/(1<<53) - 0.5) * 3.4641
}

func (s *suppressor) reset() {
	clear(s.eold)
	clear(s.yold)
	clear(s.ola)
	clear(s.resid)
	clear(s.clean)
	clear(s.sxx)
	clear(s.see)
	clear(s.sxe)
	clear(s.rexp)
	s.nearHold, s.nearRun, s.xpeak, s.nearExt = 0, 0, 0, 0
}
