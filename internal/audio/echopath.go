package audio

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/doorsip/intercom/alsa"
	"github.com/doorsip/intercom/media"
	"github.com/doorsip/intercom/voice"
)

// ErrNoEcho means the measurement heard nothing of what it played: the microphone or the
// speaker is muted or unplugged (a real box always hears itself).
var ErrNoEcho = errors.New("audio: echo measurement heard nothing")

// EchoResult is the box's loudspeaker-to-microphone path as MeasureEcho found it.
type EchoResult struct {
	// Delay is where the path's impulse response peaks once the cards' queues are taken
	// out (as a call's reference alignment does): the converters and the air.
	Delay time.Duration
	// Queues is what the cards' queues (the DELAY ioctls) put between the two streams.
	Queues time.Duration
	// CouplingDB is the path's energy gain: 0 dB hears the speaker at the level played,
	// -20 dB ten times quieter.
	CouplingDB float64
	// Tail is how long an echo_tail the path needs: from the aligned reference to where the
	// response stays 40 dB below its peak.
	Tail time.Duration
	// EchoLossDB is how far the canceller (the [audio] echo settings, without noise
	// suppression or AGC) brought the recorded echo down by the last second; ERLE its own
	// estimate.
	EchoLossDB, ERLE float64
	Rate             int // the processing rate the canceller ran at
	Xruns            int
	Playback         alsa.Params
	Capture          alsa.Params
}

const (
	echoLead   = 300 * time.Millisecond // silence before the noise: the streams settle
	echoPeriod = 3                      // periods of noise played; the last two are analysed
	echoRMS    = 4000                   // about -18 dBFS: loud enough, far from clipping
	echoFloor  = -70.0                  // coupling below this is nothing heard
)

// MeasureEcho plays a periodic noise (flat spectrum, about a second per period) on playback
// while recording capture, the way the media loop runs a call, and deconvolves the recording
// to find the echo path's impulse response; then it runs the canceller on the two signals.
// vc is the [audio] hands-free config; its tail is the one the canceller runs with.
func MeasureEcho(ctx context.Context, capture, playback string, tc TestConfig, vc voice.Config) (EchoResult, error) {
	if tc.Period == 0 {
		tc.Period = 20 * time.Millisecond
	}
	if tc.Periods == 0 {
		tc.Periods = 4
	}
	if tc.OpenPCM == nil {
		tc.OpenPCM = alsa.OpenPCM
	}
	want := alsa.Params{Rate: 16000, PeriodFrames: int(16000 * tc.Period / time.Second), Periods: tc.Periods}
	play, err := tc.OpenPCM(playback, alsa.Playback, want)
	if err != nil {
		return EchoResult{}, fmt.Errorf("audio: echo test: %w", err)
	}
	defer play.Close()
	pp := play.Params()
	rec, err := tc.OpenPCM(capture, alsa.Capture, pp)
	if err != nil {
		return EchoResult{}, fmt.Errorf("audio: echo test: %w", err)
	}
	defer rec.Close()
	cp := rec.Params()
	res := EchoResult{Playback: pp, Capture: cp}
	if cp.Rate != pp.Rate {
		return res, fmt.Errorf("%w: playback %d Hz, capture %d Hz (the echo test needs one rate)", media.ErrFormat, pp.Rate, cp.Rate)
	}
	rate := pp.Rate
	res.Rate = procRate(rate, rate)
	if res.Rate == 0 {
		return res, fmt.Errorf("%w: %d Hz has no 8 or 16 kHz in it", media.ErrFormat, rate)
	}
	period, noise := echoNoise(rate)
	played, recorded, queues, err := playRecord(ctx, play, rec, period, len(period)*echoPeriod, rate)
	res.Xruns = play.Xruns() + rec.Xruns()
	if err != nil {
		return res, err
	}
	// The noise starts at the same index in both streams; the second and third periods are
	// in steady state, where the recording is the period circularly convolved with h.
	start := 2*pp.PeriodFrames + int(int64(rate)*int64(echoLead)/int64(time.Second)) + len(period)
	h := impulseResponse(recorded, start, noise)
	res.analyse(h, rate, queues)
	if res.CouplingDB < echoFloor {
		return res, fmt.Errorf("%w: coupling %.0f dB", ErrNoEcho, res.CouplingDB)
	}
	if err := res.cancel(played, recorded, rate, queues, start+len(period), len(period), vc); err != nil {
		return res, err
	}
	return res, nil
}

// echoNoise is one period of white noise with a flat magnitude in every bin but DC (so it
// can be divided out exactly) at rate, a power of two at least a second long, and its DFT.
func echoNoise(rate int) ([]int16, []complex128) {
	n := 1
	for n < rate {
		n <<= 1
	}
	rng := rand.New(rand.NewPCG(0x1cec, 0x0de))
	x := make([]complex128, n)
	for k := 1; k < n/2; k++ {
		x[k] = cmplx.Rect(1, 2*math.Pi*rng.Float64())
		x[n-k] = cmplx.Conj(x[k])
	}
	x[n/2] = 1
	t := append([]complex128(nil), x...)
	fft(t, true)
	var e float64
	for _, v := range t {
		e += real(v) * real(v)
	}
	scale := echoRMS / math.Sqrt(e/float64(n))
	s := make([]int16, n)
	for i, v := range t {
		s[i] = int16(max(-32768, min(32767, math.Round(real(v)*scale))))
	}
	for k := range x {
		x[k] *= complex(scale, 0)
	}
	return s, x
}

// playRecord runs playback and capture in lockstep (one period read, one written): silence
// for echoLead, total samples of the repeated period, then silence while the echo dies out.
// It returns both streams in mono (the first capture channel) from their first sample, and
// the offset between them the cards' queues make (the median of the DELAY figures after
// each write: frames written less queued, against frames read plus waiting), which the
// impulse response's lags include.
func playRecord(ctx context.Context, play, rec *alsa.PCM, period []int16, total, rate int) (played, recorded []int16, queues int, err error) {
	pp, cp := play.Params(), rec.Params()
	lead := int(int64(rate) * int64(echoLead) / int64(time.Second))
	frames := lead + total + lead
	in := make([]int16, cp.PeriodFrames*cp.Channels)
	out := make([]int16, pp.PeriodFrames*pp.Channels)
	var offsets []int
	next := func() { // the next period of the played stream into out
		for f := range pp.PeriodFrames {
			var v int16
			if i := len(played) - 2*pp.PeriodFrames; i >= lead && i < lead+total {
				// i counts from the end of the priming
				v = period[(i-lead)%len(period)]
			}
			played = append(played, v)
			for c := range pp.Channels {
				out[f*pp.Channels+c] = v
			}
		}
	}
	// Two periods of silence first, as Test does, so the playback runs from the first read.
	for range 2 {
		clear(out)
		played = append(played, make([]int16, pp.PeriodFrames)...)
		if _, err := play.Write(out); err != nil {
			return nil, nil, 0, fmt.Errorf("audio: echo test: %w", err)
		}
	}
	for len(recorded) < frames {
		if err := ctx.Err(); err != nil {
			return nil, nil, 0, err
		}
		n, err := rec.Read(in)
		if err != nil {
			return nil, nil, 0, fmt.Errorf("audio: echo test: %w", err)
		}
		for f := range n {
			recorded = append(recorded, in[f*cp.Channels])
		}
		dc, cerr := rec.Delay()
		next()
		if _, err := play.Write(out); err != nil {
			return nil, nil, 0, fmt.Errorf("audio: echo test: %w", err)
		}
		if dp, perr := play.Delay(); cerr == nil && perr == nil {
			offsets = append(offsets, (len(played)-dp)-(len(recorded)+dc))
		}
	}
	if len(offsets) > 0 {
		slices.Sort(offsets)
		queues = -offsets[len(offsets)/2]
	}
	return played, recorded, queues, nil
}

// impulseResponse averages the two steady periods of the recording from start and divides
// the noise's spectrum out.
func impulseResponse(recorded []int16, start int, noise []complex128) []float64 {
	n := len(noise)
	r := make([]complex128, n)
	for p := range echoPeriod - 1 {
		for i := range n {
			if j := start + p*n + i; j < len(recorded) {
				r[i] += complex(float64(recorded[j])/float64(echoPeriod-1), 0)
			}
		}
	}
	fft(r, false)
	for k := range r {
		if noise[k] == 0 {
			r[k] = 0
			continue
		}
		r[k] /= noise[k]
	}
	fft(r, true)
	h := make([]float64, n)
	for i, v := range r {
		h[i] = real(v)
	}
	return h
}

// analyse reads delay, coupling and tail off h. Its lags are between the streams, queues
// included; they are counted from the aligned reference here (lags past half the period
// are negative: an echo before its reference, which only a broken clock setup makes).
func (res *EchoResult) analyse(h []float64, rate, queues int) {
	n := len(h)
	g := make([]float64, n) // g[a] is the response at aligned lag a
	for k, v := range h {
		g[((k-queues)%n+n)%n] = v
	}
	peak, at := 0.0, 0
	var e float64
	for k, v := range g {
		e += v * v
		if math.Abs(v) > peak {
			peak, at = math.Abs(v), k
		}
	}
	res.CouplingDB = 10 * math.Log10(max(e, 1e-30))
	if at > n/2 {
		at -= n
	}
	res.Queues = time.Duration(queues) * time.Second / time.Duration(rate)
	res.Delay = time.Duration(at) * time.Second / time.Duration(rate)
	end := 0
	for k := range n / 2 {
		if math.Abs(g[k]) >= peak/100 {
			end = k
		}
	}
	tail := time.Duration(end+1)*time.Second/time.Duration(rate) + alignMargin
	res.Tail = (tail + time.Millisecond - 1).Truncate(time.Millisecond)
}

// cancel runs the canceller on the streams (at the processing rate), the reference lined up
// as a call lines it up (the queues taken out, alignMargin ahead), and measures the echo
// loss over the last period of noise: length samples from index last (device rate).
func (res *EchoResult) cancel(played, recorded []int16, rate, queues, last, length int, vc voice.Config) error {
	vc.Noise, vc.AGC = voice.NoiseOff, false
	if vc.Echo == voice.EchoOff {
		vc.Echo = voice.EchoOn
	}
	p, err := voice.New(vc, res.Rate)
	if err != nil {
		return fmt.Errorf("audio: echo test: %w", err)
	}
	ratio := rate / res.Rate
	shift := int(int64(rate)*int64(alignMargin)/int64(time.Second)) - queues
	aligned := make([]int16, len(recorded))
	for i := range aligned {
		if j := i + shift; j >= 0 && j < len(played) {
			aligned[i] = played[j]
		}
	}
	ref := toMono(aligned, media.Format{Rate: rate, Channels: 1}, res.Rate)
	mic := toMono(recorded, media.Format{Rate: rate, Channels: 1}, res.Rate)
	b := p.BlockSize()
	n := min(len(ref), len(mic)) / b * b
	out := make([]int16, n)
	for i := 0; i < n; i += b {
		if err := p.Process(out[i:i+b], mic[i:i+b], ref[i:i+b]); err != nil {
			return fmt.Errorf("audio: echo test: %w", err)
		}
	}
	lat := p.Latency()
	from, to := last/ratio, min((last+length)/ratio, n-lat)
	if to <= from {
		return nil
	}
	res.EchoLossDB = media.Level(mic[from:to]) - media.Level(out[from+lat:to+lat])
	res.ERLE = p.Stats().ERLE
	return nil
}
