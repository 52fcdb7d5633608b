package voice

import (
	"fmt"
	"math"
	"sync/atomic"
	"time"
)

// BlockMillis is the processor's internal block: frames handed to Process are a whole
// number of 10 ms blocks (80 samples at 8 kHz, 160 at 16 kHz).
const BlockMillis = 10

// Stats are the processor's figures for `intercom ctl stats` and the acoustics report.
type Stats struct {
	// ERLE is the linear filter's echo return loss enhancement estimate, dB (0 while the far
	// end is silent or the canceller is off).
	ERLE float64
	// Suppression is the residual echo suppressor's attenuation over the last block, dB.
	Suppression float64
	// Noise is the estimated background noise level at the microphone, dBFS.
	Noise float64
	// Gain is the AGC's current gain, dB.
	Gain float64
	// HalfDuplex is true while the microphone is attenuated because the far end talks and the
	// filter's ERLE is too low.
	HalfDuplex bool
	// Converged is true once the linear filter has reached 10 dB ERLE at least once.
	Converged bool
	// Delay is the estimated echo delay: how far the echo lags the reference handed to
	// Process (0 until the estimator has found it).
	Delay time.Duration
	// SpeakerCompression is how much lower the loudspeaker plays a -6 dBFS peak than a
	// linear one would, by the curve learnt from the echo, dB (0 while it plays linearly):
	// a speaker or amplifier driven into clipping, whose volume should come down.
	SpeakerCompression float64
	// Drift is the capture clock's estimated offset from the playback clock, ppm (positive:
	// capture runs fast; 0 on one sound card).
	Drift float64
}

// Processor runs the chain on one direction of one call. It is not safe for concurrent use:
// the capture loop owns it; Stats may be read from another goroutine.
type Processor struct {
	cfg   Config
	rate  int
	block int

	canc  *canceller
	spk   *speakerModel // the loudspeaker's compression, learnt (echo_cancel = "on" only)
	dly   *delayEstimator
	jump  *jumpFinder
	rs    *resampler
	drift *driftTracker
	rref  []float64 // the resampled reference block
	sup   *suppressor
	agc   *agc

	mic, ref, lin, echo, res []float64
	micSpec                  []complex128
	micPow, micPrev, frame   []float64
	dcMic, dcRef             dcNotch
	margin                   int       // samples the microphone is held back (refMargin)
	micLine                  []float64 // the held-back microphone: margin + block samples
	primed                   bool      // micLine holds sound (the first block was seen)
	shared                   bool      // one sound card: the reference is never resampled

	farHold    int     // blocks of reference activity still in the echo path
	hdGain     float64 // half-duplex gain at the end of the last block
	smic, sout float64 // smoothed energies for the ERLE estimate
	erleOut    int     // blocks in a row that were not echo alone
	fmic, fout float64 // the same, smoothed faster, for the fallback
	erleHold   float64 // the fallback's ERLE: recent peak, slowly released
	converged  bool

	st statsAtomic
}

// delaySlack is how many blocks before the delay estimate the filter starts reading the
// reference. The estimate runs half a block to a block late and flips between neighbours
// when the echo sits near a block's middle: with one block of slack a flip upward put the
// direct sound before the filter's first partition (the vestibule fell from 62 to 40 dB of
// echo loss with the microphone held back 5 ms); two blocks keep it inside.
const delaySlack = 2

// maxDelayBlocks is how far (in blocks) the echo may lag the reference it is handed.
const maxDelayBlocks = 30

// New builds a processor for mono frames at rate (8000 or 16000 Hz).
func New(cfg Config, rate int) (*Processor, error) {
	if rate != 8000 && rate != 16000 {
		return nil, fmt.Errorf("%w: %d Hz (expected 8000 or 16000)", ErrRate, rate)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("voice: %w", err)
	}
	n := rate * BlockMillis / 1000
	p := &Processor{cfg: cfg, rate: rate, block: n, hdGain: 1,
		mic: make([]float64, n), ref: make([]float64, n), lin: make([]float64, n), echo: make([]float64, n),
		res: make([]float64, n), micSpec: make([]complex128, n+1), micPow: make([]float64, n+1),
		micPrev: make([]float64, n), frame: make([]float64, 2*n)}
	if cfg.Echo != EchoOff {
		// One partition more than the tail: the filter reads the reference a block earlier
		// than the delay estimate (see delaySlack).
		m := int((cfg.EchoTail+BlockMillis*time.Millisecond-1)/(BlockMillis*time.Millisecond)) + 1
		var err error
		if p.canc, err = newCanceller(rate, n, m, maxDelayBlocks); err != nil {
			return nil, err
		}
		p.dly = newDelayEstimator(n, maxDelayBlocks)
		p.jump = newJumpFinder(n)
		if cfg.Echo == EchoOn {
			if p.spk, err = newSpeakerModel(n, len(p.canc.hist)); err != nil {
				return nil, err
			}
		}
		slack := n - resampleHalf
		p.rs = newResampler(n, slack)
		p.drift = newDriftTracker(n, m)
		p.rref = make([]float64, n)
		// The resampler hands the reference on resampleHalf+slack samples late; the
		// microphone is held back as much again, so the echo sits where it did without it.
		p.margin = rate*refMarginMillis/1000 + resampleHalf + slack
		p.micLine = make([]float64, p.margin+n)
	}
	if cfg.Echo == EchoOn || cfg.Noise != NoiseOff {
		var err error
		if p.sup, err = newSuppressor(n, cfg.Noise, uint64(rate)); err != nil {
			return nil, err
		}
	}
	p.agc = newAGC(cfg.AGC, cfg.AGCTarget, cfg.AGCMaxGain, n)
	return p, nil
}

// BlockSize is the number of samples in one internal block.
func (p *Processor) BlockSize() int { return p.block }

// Rate is the sample rate the processor was built for.
func (p *Processor) Rate() int { return p.rate }

// Latency is how many samples the processing delays the microphone by: one block while the
// suppressor runs (it works on overlapped frames), plus the reference margin while the echo
// canceller runs, plus a block for the drift resampler unless SharedClock was called, else
// none.
func (p *Processor) Latency() int {
	lat := p.margin
	if p.sup != nil {
		lat += p.block
	}
	return lat
}

// refMarginMillis is how long the microphone is held back before the canceller sees it, so
// that an echo that arrives up to that much before the reference handed to Process (two
// sound cards whose clocks drift apart, a PCM delay measured a little long) still falls
// inside the causal filter's span. It costs as much latency.
const refMarginMillis = 2

// The resampler hands the reference on one block late, and the microphone is held back a
// block more as well: the interpolator's half length (1 ms at 16 kHz, 2 ms at 8 kHz) and the
// slack by which the echo of two drifting sound cards may run ahead of where it started
// before the resampler needs a block of the ring to relabel (it cannot read the reference
// before it was played; 9 ms at 16 kHz is 90 s at -100 ppm). A whole block keeps where the
// signals fall within the blocks as it was without the resampler: the chain's block-wise
// estimates (the delay estimator's lag, the suppressor's coherence, the loudspeaker curve)
// still depend on it, and the 3-4.5 ms first tried moved single unit tests by 5-20 dB and
// the benchmark's double talk by 3 dB. It costs 10 ms of latency.

// Process writes to out the microphone frame mic with the echo of ref removed. ref holds the
// samples that reached the loudspeaker aligned with mic (zeros when nothing was played).
// len(mic) == len(ref) == len(out), a multiple of BlockSize. out may alias mic.
func (p *Processor) Process(out, mic, ref []int16) error {
	if len(mic)%p.block != 0 || len(ref) != len(mic) || len(out) != len(mic) {
		return fmt.Errorf("%w: %d samples, block %d", ErrFrame, len(mic), p.block)
	}
	if !p.cfg.Enabled() {
		copy(out, mic)
		return nil
	}
	for i := 0; i < len(mic); i += p.block {
		p.processBlock(out[i:i+p.block], mic[i:i+p.block], ref[i:i+p.block])
	}
	p.publish()
	return nil
}

func (p *Processor) processBlock(out, mic, ref []int16) {
	n := p.block
	for i := range n {
		p.mic[i] = p.dcMic.step(float64(mic[i]))
		p.ref[i] = p.dcRef.step(float64(ref[i]))
	}
	if p.margin > 0 {
		if !p.primed {
			// The held-back line starts with the first block's sound rather than with more
			// than a block of silence: the suppressor's noise floor, once it has seen a
			// silent block, takes seconds to climb back (2 dB of noise reduction instead of
			// 9 with 12 ms of leading zeros).
			for i := 0; i < p.margin; i += n {
				copy(p.micLine[i:p.margin], p.mic)
			}
			p.primed = true
		}
		copy(p.micLine[p.margin:], p.mic)
		copy(p.mic, p.micLine[:n])
		copy(p.micLine, p.micLine[n:])
	}
	lin, echo := p.mic, []float64(nil)
	far := false
	if p.canc != nil {
		c := p.canc
		p.pushRef()
		copy(p.frame[:n], p.micPrev)
		copy(p.frame[n:], p.mic)
		copy(p.micPrev, p.mic)
		c.f.forward(p.micSpec, p.frame)
		for k, v := range p.micSpec {
			p.micPow[k] = pow2(v)
		}
		refActive := c.henergy[c.head] > float64(n)*farLevel
		if p.dly.update(p.micPow, refActive) {
			c.setDelay(max(0, p.dly.lag-delaySlack))
		}
		far = p.farActive()
		if p.cfg.Echo == EchoOn {
			// A loudspeaker curve (learnt, or asking to come on) changes the reference under
			// every filter; the Kalman filter follows that slowest, so it hands nothing over then.
			c.kalmanHold = p.spk != nil && (p.spk.a != 0 || p.spk.onRun > 0)
			c.cancel(p.lin, p.echo, p.mic)
			lin, echo = p.lin, p.echo
			if k := p.jump.check(c, far, p.erleHold); k != 0 {
				p.moveRead(k)
			}
			// Not while the visitor dominates the error: their speech says nothing about
			// the loudspeaker and a burst of it reads as a curve.
			if p.spk != nil && far && p.erleHold > speakerMinERLE && (p.sup == nil || p.sup.nearHold == 0) && !c.nearEnd() {
				p.spk.learn(c)
			}
			// The ERLE in the stats counts the moments of echo alone: a visitor talking
			// over the far end is no echo left over (it read 0-2 dB in calls that had
			// 58-72 dB of echo loss). Not alone: a microphone louder than twice the filter's
			// echo estimate, an error ten times the smoothed residual, or the suppressor
			// hearing the near end. An echo path that changed looks the same until the
			// filter follows it, so after erleStuckBlocks of that in a row the blocks count
			// again (capped at ten times the residual: +18 % a block).
			if far {
				e, em := energy(p.lin), energy(p.mic)
				alone := em <= 2*energy(echo) && (p.sout == 0 || e <= 10*p.sout) &&
					(p.sup == nil || p.sup.nearHold == 0)
				if alone {
					p.erleOut = 0
				} else {
					p.erleOut++
				}
				if alone || p.erleOut > erleStuckBlocks {
					p.smic = 0.98*p.smic + 0.02*capEnergy(em, p.smic)
					p.sout = 0.98*p.sout + 0.02*capEnergy(e, p.sout)
				}
				p.fmic = 0.9*p.fmic + 0.1*em
				p.fout = 0.9*p.fout + 0.1*e
				// The fallback follows the best recent ERLE, released at 2 dB/s: near-end
				// speech lowers the measured figure but not the peak of the single-talk
				// moments around it, while a filter that cannot cancel never peaks.
				p.erleHold = max(p.erleFor(p.fmic, p.fout), p.erleHold-0.02)
			}
			curve := 0.0
			if p.spk != nil {
				curve = p.spk.a
			}
			if !p.shared {
				p.rs.ratio = p.drift.update(c, far, p.erleHold, p.erleFor(p.fmic, p.fout), p.echoOverNoise(), curve)
			}
		}
	}
	res := lin
	speech := true
	if p.sup != nil {
		leak := 1.0
		var x []complex128
		var late []float64
		decay := 0.0
		p.sup.kalmanNear = 0
		if p.canc != nil && p.cfg.Echo == EchoOn {
			leak, x, late = p.canc.leak, p.canc.mainPartition(), p.canc.lateEcho()
			decay = p.canc.decay
			// The Kalman filter's view of the near end counts only where it cancels something
			// (a capture of zeros leaves it its whole echo estimate as error), keeps up with
			// the MDF (one that lost the path reads the echo it misses as a near end) and the
			// loudspeaker is linear (it reads a clipping speaker's harmonics as a near end).
			var me float64
			for _, v := range p.mic {
				me += v * v
			}
			if kf := p.canc.kf; kf.see < me && kf.avg < kalmanTrust*kf.fav && !p.canc.kalmanHold {
				p.sup.kalmanNear = kf.near / (kf.syy + float64(len(lin)))
			}
		}
		p.sup.erleInv = math.Pow(10, -p.erleHold/10)
		p.sup.process(p.res, lin, echo, leak, x, late, decay)
		res, speech = p.res, p.sup.speech
	}
	p.halfDuplex(res, far)
	p.agc.process(res, speech && !(far && p.hdGain < 0.5))
	for i, v := range res {
		out[i] = int16(max(-32768, min(32767, math.Round(v))))
	}
}

// moveRead moves the filter's read position k blocks further back (earlier when negative)
// without moving what it learned, and the delay estimate with it: the echo jumped.
func (p *Processor) moveRead(k int) {
	s := 1
	if k < 0 {
		s = -1
	}
	moved := 0
	for moved != k && p.canc.relabel(s) {
		moved += s
	}
	p.dly.jumped(moved)
}

// pushRef hands the canceller's ring and the delay estimator the next block of the
// reference, resampled to the microphone's clock: usually one block, none when the reference
// the resampler reads has run a block ahead, two when it fell a block behind (the ring's
// blocks and the estimator's lags are relabelled to match, so nothing learned moves).
func (p *Processor) pushRef() {
	c, rs := p.canc, p.rs
	if p.shared {
		copy(p.rref, p.ref)
		p.pushRref()
		return
	}
	rs.feed(p.ref)
	if !rs.ready() {
		if c.relabel(-1) {
			p.dly.relabel(-1)
			return
		}
		// The echo would come before its reference: leave the drift to the filter.
		rs.catchUp()
	}
	p.pushBlock()
	if rs.surplus() && c.relabel(1) {
		p.pushBlock()
		p.dly.relabel(1)
	}
}

// pushBlock reads the next block from the resampler and hands it to the ring, through the
// loudspeaker's curve when one is learnt (the speaker plays at the playback card's clock,
// so the curve belongs after the resampling, as the echo path does).
func (p *Processor) pushBlock() {
	p.rs.next(p.rref)
	p.pushRref()
}

// pushRref hands the ring the reference block in rref.
func (p *Processor) pushRref() {
	c := p.canc
	if p.spk != nil {
		p.spk.apply(p.rref)
	}
	c.push(p.rref)
	if p.spk != nil {
		p.spk.push(c.head)
	}
	p.dly.pushRef(c.hpow[c.head])
}

// SharedClock tells the processor that capture and playback are one sound card, as on most
// door stations: their clocks cannot drift apart, so the reference goes to the canceller as
// it is, without the drift resampler and the block of latency it costs (22 -> 12 ms of
// delay added at 16 kHz), and the drift tracker does not run. What it would read there is
// no drift: during double talk the delay estimate flipping between neighbouring blocks slid
// the filter by 1.9 samples in half a second, and the loop resampled one card's reference
// at -118 ppm until it undid it. Call it before the first Process; it does nothing once
// Process has run or without an echo canceller.
func (p *Processor) SharedClock() {
	if p.canc == nil || p.primed || p.shared {
		return
	}
	p.shared = true
	p.margin -= resampleHalf + p.rs.slack
}

// farLevel is the mean square of a reference block that counts as far-end activity
// (-60 dBFS).
const farLevel = 32768 * 32768 * 1e-6

// farActive reports whether the reference played over the filter's span holds sound.
func (p *Processor) farActive() bool {
	c := p.canc
	lim := float64(p.block) * farLevel
	if c.henergy[c.ring(c.delay)] > lim {
		p.farHold = c.m + 1
	} else if p.farHold > 0 {
		p.farHold--
	}
	return p.farHold > 0
}

// Half duplex: how deep and how fast the microphone is attenuated while the far end talks.
const (
	halfDuplexDepth = 30 // dB, in half-duplex mode
	softDepth       = 20 // dB at most, as the fallback of a filter that does not cancel
	softERLE        = 6  // dB of (recent peak) filter ERLE below which the fallback attenuates
	hdDownPerBlock  = 8  // dB
	hdUpPerBlock    = 2  // dB
)

func (p *Processor) halfDuplex(x []float64, far bool) {
	target := 0.0
	if far {
		switch p.cfg.Echo {
		case EchoHalfDuplex:
			target = -halfDuplexDepth
		case EchoOn:
			// Only once the delay estimator has seen the echo: a box without coupling must
			// not lose the visitor whenever the far end talks.
			// Before the filter first converges the measured ERLE says how much echo gets
			// through; after, the leakage does, which near-end speech does not lower.
			if p.dly.lag >= 0 {
				target = -math.Min(softDepth, math.Max(0, 2*(softERLE-p.erleHold)))
			}
		}
	}
	cur := db(p.hdGain * p.hdGain)
	next := math.Max(target, math.Min(cur+hdUpPerBlock, math.Max(cur-hdDownPerBlock, target)))
	if next > -0.01 {
		next = 0
	}
	g0, g1 := p.hdGain, math.Pow(10, next/20)
	if g0 == 1 && g1 == 1 {
		return
	}
	fn := float64(len(x))
	for i := range x {
		x[i] *= g0 + (g1-g0)*float64(i+1)/fn
	}
	p.hdGain = g1
}

func (p *Processor) publish() {
	s := Stats{Gain: p.agc.gainDB, HalfDuplex: p.hdGain < 0.9}
	if p.canc != nil && p.cfg.Echo == EchoOn {
		s.ERLE = p.erle()
	}
	if p.sup != nil {
		s.Suppression, s.Noise = p.sup.suppression, p.sup.noiseDB
	}
	if p.drift != nil {
		s.Drift = p.drift.ppm
	}
	if p.dly != nil && p.dly.lag >= 0 {
		// The estimator's lag runs half a block to a block late (its frames span two blocks).
		// The margin the microphone is held back by is not part of the echo path.
		s.Delay = time.Duration(max(0, p.dly.lag*BlockMillis-BlockMillis/2-refMarginMillis)) * time.Millisecond
	}
	p.converged = p.converged || s.ERLE >= 10
	s.Converged = p.converged
	if p.spk != nil {
		s.SpeakerCompression = p.spk.compression()
	}
	p.st.store(s)
}

// erleStuckBlocks (1.5 s) of blocks in a row that are not echo alone are taken for an echo
// path that changed rather than a visitor, who pauses sooner.
const erleStuckBlocks = 150

// capEnergy limits a block's energy e to ten times the smoothed s it joins (none while s
// is still empty).
func capEnergy(e, s float64) float64 {
	if s > 0 {
		return min(e, 10*s)
	}
	return e
}

// echoOverNoise is how far the microphone stands above the background while the far end
// plays, dB.
func (p *Processor) echoOverNoise() float64 {
	if p.sup == nil || p.sup.noiseEnergy <= 0 {
		return math.Inf(1)
	}
	return db(p.smic) - db(p.sup.noiseEnergy)
}

// erle is the filter's echo loss over the recent blocks of far-end activity, dB.
func (p *Processor) erle() float64 { return p.erleFor(p.smic, p.sout) }

// erleFor is the echo loss between smoothed microphone and output energies, the background
// noise taken out of both (it limits what a noisy box could otherwise show).
func (p *Processor) erleFor(mic, out float64) float64 {
	var nb float64
	if p.sup != nil {
		nb = p.sup.noiseEnergy
	}
	em, eo := mic-nb, out-nb
	if em <= 0 {
		return 0
	}
	e := db(em) - db(max(eo, em*1e-6))
	if !finite(e) || e < 0 {
		return 0
	}
	return e
}

// Stats returns the latest figures.
func (p *Processor) Stats() Stats { return p.st.load() }

// Reset forgets what the filter learned (an xrun moved the echo delay, or a new call starts
// on a different path).
func (p *Processor) Reset() {
	if p.canc != nil {
		p.canc.reset()
		p.canc.delay = 0
		p.dly.reset()
		p.jump.reset()
		p.rs.reset()
		p.drift.reset()
	}
	if p.spk != nil {
		p.spk.reset()
	}
	if p.sup != nil {
		p.sup.reset()
	}
	p.smic, p.sout, p.farHold, p.hdGain, p.erleOut = 0, 0, 0, 1, 0
	p.fmic, p.fout, p.erleHold = 0, 0, 0
	p.converged = false
	clear(p.micLine)
	p.primed = false
}

// dcNotch removes the DC offset and rumble below ~40 Hz that a filter would waste its
// coefficients on.
type dcNotch struct{ x1, y1 float64 }

func (d *dcNotch) step(x float64) float64 {
	y := x - d.x1 + 0.985*d.y1
	d.x1, d.y1 = x, y
	return y
}

// statsAtomic holds Stats for readers on other goroutines.
type statsAtomic struct {
	erle, suppression, noise, gain atomic.Uint64
	speaker                        atomic.Uint64
	drift                          atomic.Uint64
	halfDuplex, converged          atomic.Bool
	delay                          atomic.Int64
}

func (a *statsAtomic) store(s Stats) {
	a.erle.Store(math.Float64bits(s.ERLE))
	a.suppression.Store(math.Float64bits(s.Suppression))
	a.noise.Store(math.Float64bits(s.Noise))
	a.gain.Store(math.Float64bits(s.Gain))
	a.halfDuplex.Store(s.HalfDuplex)
	a.converged.Store(s.Converged)
	a.delay.Store(int64(s.Delay))
	a.speaker.Store(math.Float64bits(s.SpeakerCompression))
	a.drift.Store(math.Float64bits(s.Drift))
}

func (a *statsAtomic) load() Stats {
	return Stats{
		ERLE:        math.Float64frombits(a.erle.Load()),
		Suppression: math.Float64frombits(a.suppression.Load()),
		Noise:       math.Float64frombits(a.noise.Load()),
		Gain:        math.Float64frombits(a.gain.Load()),
		HalfDuplex:  a.halfDuplex.Load(),
		Converged:   a.converged.Load(),
		Delay:       time.Duration(a.delay.Load()),

		SpeakerCompression: math.Float64frombits(a.speaker.Load()),
		Drift:              math.Float64frombits(a.drift.Load()),
	}
}
