package audio

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/doorsip/intercom/alsa"
	"github.com/doorsip/intercom/media"
	"github.com/doorsip/intercom/voice"
)

// Devices are one call's audio: what media's session reads and writes, and the hands-free
// processing between them when there is one.
type Devices struct {
	Capture  media.Capture
	Playback media.Playback
	// Voice is nil unless both devices are sound cards and [audio] asks for processing.
	Voice *Voice
}

// Close closes both devices (the session owns them only while it runs).
func (d Devices) Close() error {
	err := d.Capture.Close()
	if perr := d.Playback.Close(); err == nil {
		err = perr
	}
	return err
}

// processor is what Voice runs; *voice.Processor in the product, a recorder in tests.
type processor interface {
	Process(out, mic, ref []int16) error
	Stats() voice.Stats
	Reset()
}

// VoiceStats are the hands-free figures of the call for `intercom ctl stats`.
type VoiceStats struct {
	voice.Stats
	// Alignment is how far back the reference handed to the processor is taken, measured
	// from the cards' queues (the DELAY ioctls, less alignMargin); Stats.Delay is the echo's
	// lag behind that reference, found by the processor. The echo path's delay is their sum.
	Alignment time.Duration
	// Realigned counts changes of that shift after the first; Resets counts xruns that made
	// the canceller start learning again.
	Realigned, Resets int
}

// Voice joins a call's playback and capture: what the playback device is handed is kept,
// at the processing rate, in a reference ring; each captured block is processed against the
// reference played when it was captured.
type Voice struct {
	proc  processor
	rate  int // processing rate, 8000 or 16000
	block int // samples per 10 ms block

	mu   sync.Mutex // the ring and the playback side's position
	ring []int16    // refRing samples; index i lives at i & (refRing-1)
	w    int64      // samples ever written to the ring
	// The playback card's application pointer right after the write that brought the ring
	// to pubW: the one point where ring and card positions are known together. Any later
	// STATUS snapshot of that card places the loudspeaker in the ring by counting frames
	// from it, whatever time passed (card time, not wall time: a stalled process or guest
	// cannot move it).
	pubW    int64
	pubAppl uint64
	pubOK   bool

	smu   sync.Mutex // stats, written each block by the capture loop
	stats VoiceStats
}

const (
	// refRing holds 2 s at 16 kHz: far more than any card's queue plus the longest tail.
	refRing = 1 << 15
	// alignMargin hands the processor the reference this much ahead of the measured echo
	// delay, so an error in the DELAY figures cannot put the echo before its reference
	// (which no filter can model); the filter's tail covers the margin.
	alignMargin = 4 * time.Millisecond
	// realignAfter is how far the measured alignment must move before it is applied: the
	// DELAY figures of some drivers move in whole periods.
	realignAfter = 4 * time.Millisecond
	// alignWindow measurements give the median the alignment follows; alignFirst of them
	// are needed before it is used (one alone may be taken in an xrun's recovery).
	alignWindow = 9
	alignFirst  = 3
	// alignStall is how much the capture queue may grow while the playback card's snapshot
	// is taken before the measurement counts as stalled: a jiffy at 250 Hz (aloop's
	// pointers move in jiffies) plus some.
	alignStall = 6 * time.Millisecond
)

// margin is alignMargin in samples at rate.
func margin(rate int) int64 { return int64(alignMargin) * int64(rate) / int64(time.Second) }

// procRate is the rate the processing runs at for two devices: 16 kHz when both run at a
// multiple of it, 8 kHz when both run at a multiple of that, else 0 (no processing).
func procRate(a, b int) int {
	switch {
	case a%16000 == 0 && b%16000 == 0 && a > 0 && b > 0:
		return 16000
	case a%8000 == 0 && b%8000 == 0 && a > 0 && b > 0:
		return 8000
	}
	return 0
}

// OpenDevices opens the call's capture and playback. When both are sound cards (hw: or
// plughw:) and cfg.Voice asks for any processing, they come back wrapped: the capture
// delivers the processed microphone as mono at the processing rate (media converts it to the
// codec's), the playback feeds the echo reference. Tone, file, silence and null devices are
// test sources and sinks whose exact levels the demo and the tests measure: never processed.
func OpenDevices(cfg Config, opts Options) (Devices, error) {
	opts = opts.withDefaults()
	c, err := OpenCapture(cfg, opts)
	if err != nil {
		return Devices{}, err
	}
	p, err := OpenPlayback(cfg, opts)
	if err != nil {
		c.Close()
		return Devices{}, err
	}
	d := Devices{Capture: c, Playback: p}
	capHW, playHW, ok := voiceDevices(c, p, cfg.VoiceOnTestDevices)
	if !ok || !cfg.Voice.Enabled() {
		return d, nil
	}
	cf, pf := capHW.Format(), playHW.Format()
	rate := procRate(cf.Rate, pf.Rate)
	if rate == 0 {
		opts.Logger.Warn("audio: hands-free processing off: the cards' rates have no 8 or 16 kHz in common",
			"capture_hz", cf.Rate, "playback_hz", pf.Rate)
		return d, nil
	}
	newProc := opts.newProc
	if newProc == nil {
		newProc = func(c voice.Config, rate int) (processor, error) { return voice.New(c, rate) }
	}
	proc, err := newProc(cfg.Voice, rate)
	if err != nil {
		d.Close()
		return Devices{}, fmt.Errorf("audio: %w", err)
	}
	if sc, ok := proc.(sharedClock); ok && capHW.sharesClock(playHW) {
		sc.SharedClock()
	}
	v := newVoice(proc, rate)
	vc := v.wrapCapture(capHW)
	vc.play = playHW
	d.Capture = vc
	d.Playback = v.wrapPlayback(playHW)
	d.Voice = v
	opts.Logger.Info("audio: hands-free processing", "rate", rate, "echo_cancel", cfg.Voice.Echo,
		"echo_tail", cfg.Voice.EchoTail, "noise_suppression", cfg.Voice.Noise, "agc", cfg.Voice.AGC)
	return d, nil
}

func newVoice(p processor, rate int) *Voice {
	return &Voice{proc: p, rate: rate, block: rate * voice.BlockMillis / 1000, ring: make([]int16, refRing)}
}

// Rate is the processing rate.
func (v *Voice) Rate() int { return v.rate }

// Stats returns the latest figures; any goroutine may call it.
func (v *Voice) Stats() VoiceStats {
	v.smu.Lock()
	defer v.smu.Unlock()
	return v.stats
}

// put appends what was just handed to the playback device; appl is the card's application
// pointer right after that write (ok false when the card could not say).
func (v *Voice) put(s []int16, appl uint64, ok bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for len(s) > 0 {
		i := int(v.w & (refRing - 1))
		n := copy(v.ring[i:], s)
		s = s[n:]
		v.w += int64(n)
	}
	v.pubW, v.pubAppl, v.pubOK = v.w, appl, ok
}

// playing is the ring index at the loudspeaker when the playback card's snapshot st was
// taken: the frames it counts past the last write's pointer, less what it still queues, at
// ratio card frames per ring sample. False when no write has told where the ring stands, or
// the snapshot is of another stream generation (re-prepared or reopened since: its pointer
// is further from the write's than the buffer allows).
func (v *Voice) playing(st alsa.Status, ratio int, buffer int) (int64, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if !v.pubOK || !st.Running {
		return 0, false
	}
	moved := int64(st.Appl - v.pubAppl) // frames written since (negative: the write that published came after st)
	if moved > int64(buffer) || moved < -int64(buffer) {
		return 0, false
	}
	return v.pubW + floorDiv(moved-int64(st.Delay), int64(ratio)), true
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// get fills ref with the ring from index from; what is not there (not yet played, or
// overwritten) is silence.
func (v *Voice) get(ref []int16, from int64) {
	v.mu.Lock()
	defer v.mu.Unlock()
	oldest := v.w - refRing
	for k := range ref {
		i := from + int64(k)
		if i < max(oldest, 0) || i >= v.w {
			ref[k] = 0
			continue
		}
		ref[k] = v.ring[i&(refRing-1)]
	}
}

// aligner follows the offset between the microphone's and the reference's sample indices:
// reference index = mic index + offset; and the cards' round trip, queued (ring samples),
// for the stats. It belongs to the capture loop.
type aligner struct {
	win, qwin [alignWindow]int64
	n, at     int
	offset    int64
	queued    int64
	valid     bool
	scr       [alignWindow]int64
}

// add takes one measurement (offset m, round trip q) and reports whether the offset changed
// (first or moved).
func (a *aligner) add(m, q, tolerance int64) bool {
	a.win[a.at], a.qwin[a.at] = m, q
	a.at = (a.at + 1) % alignWindow
	a.n = min(a.n+1, alignWindow)
	if a.n < alignFirst {
		return false
	}
	a.queued = a.median(a.qwin[:a.n])
	med := a.median(a.win[:a.n])
	if a.valid && abs64(med-a.offset) <= tolerance {
		return false
	}
	a.offset, a.valid = med, true
	return true
}

func (a *aligner) median(w []int64) int64 {
	s := a.scr[:len(w)]
	copy(s, w)
	slices.Sort(s)
	return s[len(s)/2]
}

func (a *aligner) reset() { a.n, a.at, a.valid = 0, 0, false }

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
