package media

import (
	"time"
)

// JitterConfig sizes a JitterBuffer.
type JitterConfig struct {
	// Target is the playout delay the buffer starts with and never goes below.
	Target time.Duration
	// Max caps how far the target may grow on measured jitter.
	Max time.Duration
	// Ptime is the duration of one packet (and of one Pop).
	Ptime time.Duration
	// ClockRate is the RTP timestamp rate, for the jitter estimate.
	ClockRate int
	// MaxPayload is the largest payload kept; bigger packets are dropped.
	MaxPayload int
}

// JitterStats are the buffer's counters.
type JitterStats struct {
	Inserted, Duplicates, Late, Oversize int64
	Lost                                 int64 // frames missing when their turn came
	Dropped                              int64 // frames dropped to shrink the delay or on overflow
	Inserts                              int64 // frames inserted (played as silence) to absorb clock drift
	Underruns                            int64 // times the buffer ran dry while playing
	Resets                               int64 // sequence discontinuities that restarted the buffer
	// Jitter is the RFC 3550 interarrival jitter estimate.
	Jitter time.Duration
	// Target is the current playout target; Depth the frames now buffered.
	Target time.Duration
	Depth  int
}

// PopStatus says what Pop produced.
type PopStatus int

const (
	// PopFrame: a payload was copied out.
	PopFrame PopStatus = iota
	// PopLost: the frame due is missing; conceal it.
	PopLost
	// PopEmpty: the buffer is not playing (filling, or nothing received); play silence or the
	// tail of the concealment.
	PopEmpty
)

type jbSlot struct {
	ext     int64
	valid   bool
	n       int
	payload []byte
}

// JitterBuffer orders RTP payloads by extended sequence number and releases one per Ptime at
// an adaptive delay. It is not safe for concurrent use and never reads a clock: callers pass
// the arrival and playout times, which keeps it deterministic under simulation.
//
// Delay control: playout starts once Target worth of packets spans the buffer. The target
// follows the peak relative transit delay seen in the last ~10 s (so it grows on jitter and
// shrinks after calm periods), clamped to [Target, Max]. When more than one frame beyond
// the target is buffered (sender's clock faster than ours, or a burst after a stall), one
// frame is dropped, preferably while the output is quiet; when the buffer runs low for a
// while during quiet output, a silent frame is inserted instead of waiting for an underrun.
type JitterBuffer struct {
	cfg   JitterConfig
	slots []jbSlot
	mask  int64

	started  bool  // a first packet fixed the sequence base
	playing  bool  // releasing frames
	released bool  // a frame has been released since the last reset
	next     int64 // extended seq of the next frame to release
	highest  int64 // highest extended seq received

	base, maxT int // target bounds, frames
	target     int // current target, frames

	// Jitter estimation (RFC 3550 A.8) and peak relative transit for the target.
	haveTransit  bool
	lastTS       uint32
	extTS        int64
	lastTransit  time.Duration
	jitter       float64 // seconds
	minTransit   [2]time.Duration
	peak         time.Duration
	windowStart  time.Time
	lastPeakDrop time.Time

	dryRun      int       // consecutive pops that found the buffer empty
	lateRun     int       // consecutive late packets
	excessSince time.Time // when depth first exceeded target+1 in this run
	lowPops     int       // consecutive pops with depth below target
	stats       JitterStats
}

// lateReset is how many late packets in a row mean the sender's sequence went backwards
// rather than a few stragglers.
const lateReset = 8

// transitWindow is how long a minimum transit (the reference for relative delay) is kept:
// long enough to span a Wi-Fi stall, short enough to follow clock drift.
const transitWindow = 10 * time.Second

// NewJitterBuffer returns an empty buffer. Slots are allocated here, none later.
func NewJitterBuffer(cfg JitterConfig) *JitterBuffer {
	if cfg.Ptime <= 0 {
		cfg.Ptime = 20 * time.Millisecond
	}
	if cfg.ClockRate <= 0 {
		cfg.ClockRate = 8000
	}
	if cfg.MaxPayload <= 0 {
		cfg.MaxPayload = 1500
	}
	if cfg.Max < cfg.Target {
		cfg.Max = cfg.Target
	}
	j := &JitterBuffer{cfg: cfg}
	j.base = max(1, int((cfg.Target+cfg.Ptime-1)/cfg.Ptime))
	j.maxT = max(j.base, int(cfg.Max/cfg.Ptime))
	j.target = j.base
	// Room for the largest target, a burst as long again, and reordering slack; a power of two.
	size := 16
	for size < 2*j.maxT+8 {
		size *= 2
	}
	j.slots = make([]jbSlot, size)
	j.mask = int64(size - 1)
	mem := make([]byte, size*cfg.MaxPayload)
	for i := range j.slots {
		j.slots[i].payload = mem[i*cfg.MaxPayload : (i+1)*cfg.MaxPayload : (i+1)*cfg.MaxPayload]
	}
	return j
}

// Reset forgets every packet and the sequence base (a new SSRC, or SetRemote).
func (j *JitterBuffer) Reset() {
	for i := range j.slots {
		j.slots[i].valid = false
	}
	j.started, j.playing, j.released, j.haveTransit = false, false, false, false
	j.excessSince = time.Time{}
	j.lowPops, j.dryRun, j.lateRun = 0, 0, 0
}

// extend maps a 16-bit sequence number to the extended space around highest (RFC 3550 A.1).
func (j *JitterBuffer) extend(seq uint16) int64 {
	delta := int16(seq - uint16(j.highest))
	return j.highest + int64(delta)
}

// Insert stores a packet's payload. It reports false when the packet was dropped (late,
// duplicate, oversize); the reason is in Stats.
func (j *JitterBuffer) Insert(seq uint16, ts uint32, payload []byte, now time.Time) bool {
	if len(payload) > j.cfg.MaxPayload {
		j.stats.Oversize++
		return false
	}
	size := int64(len(j.slots))
	var ext int64
	if !j.started {
		// Start high in the extended space so reordering below the first packet stays positive.
		ext = 1<<32 | int64(seq)
		j.started, j.next, j.highest = true, ext, ext
	} else {
		ext = j.extend(seq)
	}
	switch {
	case ext < j.next:
		if !j.released && j.highest-ext < size-1 {
			// Nothing released yet: an earlier packet arriving second still has its turn.
			j.next = ext
		} else {
			j.stats.Late++
			j.lateRun++
			if j.lateRun >= lateReset {
				// Everything is "late": the sender restarted its sequence lower down.
				j.stats.Resets++
				j.Reset()
				return j.Insert(seq, ts, payload, now)
			}
			j.lateArrival()
			return false
		}
	case ext >= j.next+size:
		if ext-j.highest > size {
			// A jump no reorder explains: the sender restarted its sequence.
			j.stats.Resets++
			j.Reset()
			return j.Insert(seq, ts, payload, now)
		}
		// The buffer is full (playout stalled); drop the oldest to make room.
		for ext >= j.next+size {
			if j.slots[j.next&j.mask].valid && j.slots[j.next&j.mask].ext == j.next {
				j.stats.Dropped++
			}
			j.slots[j.next&j.mask].valid = false
			j.next++
		}
	}
	j.lateRun = 0
	s := &j.slots[ext&j.mask]
	if s.valid && s.ext == ext {
		j.stats.Duplicates++
		return false
	}
	s.valid, s.ext, s.n = true, ext, copy(s.payload, payload)
	if ext > j.highest {
		j.highest = ext
	}
	j.stats.Inserted++
	if len(payload) > 0 {
		// Empty payloads fill a telephone-event's slots; their timestamps are the event's
		// start, not media time, so they say nothing about jitter.
		j.observe(ts, now)
	}
	return true
}

// observe updates the jitter estimate and the peak relative transit delay.
func (j *JitterBuffer) observe(ts uint32, now time.Time) {
	rate := int64(j.cfg.ClockRate)
	// Transit is wall time minus media time; only its differences matter.
	// Unwrap the timestamp against the previous packet's (RFC 3550 A.1 style), so the
	// 32-bit wrap, and the sign flip at 2^31, are seamless.
	if j.haveTransit {
		j.extTS += int64(int32(ts - j.lastTS))
	} else {
		j.extTS = int64(ts)
	}
	j.lastTS = ts
	media := time.Duration(j.extTS) * time.Second / time.Duration(rate)
	transit := time.Duration(now.UnixNano()) - media
	if j.haveTransit {
		d := float64(transit-j.lastTransit) / float64(time.Second)
		if d < 0 {
			d = -d
		}
		if d < 10 { // a timestamp jump (new talkspurt after a long pause) is not jitter
			j.jitter += (d - j.jitter) / 16
		}
	}
	if !j.haveTransit || now.Sub(j.windowStart) > transitWindow {
		j.minTransit[0], j.minTransit[1] = transit, j.minTransit[0]
		if !j.haveTransit {
			j.minTransit[1] = transit
		}
		j.windowStart = now
	}
	j.haveTransit = true
	j.lastTransit = transit
	if transit < j.minTransit[0] {
		j.minTransit[0] = transit
	}
	ref := min(j.minTransit[0], j.minTransit[1])
	rel := transit - ref
	if rel > 2*time.Second { // timestamp discontinuity, not delay
		rel = 0
	}
	if rel >= j.peak {
		j.peak = rel
		j.lastPeakDrop = now
	} else if now.Sub(j.lastPeakDrop) > transitWindow {
		// Calm for a window: let the peak decay by one frame at a time.
		j.peak = max(rel, j.peak-j.cfg.Ptime)
		j.lastPeakDrop = now
	}
	want := j.base
	if p := int((j.peak + j.cfg.Ptime - 1) / j.cfg.Ptime); p+1 > want {
		want = p + 1
	}
	j.target = min(want, j.maxT)
}

// lateArrival grows the target by a frame: a packet missed its turn.
func (j *JitterBuffer) lateArrival() {
	if j.target < j.maxT {
		j.target++
	}
}

// depth is the span of frames from the next due to the newest received.
func (j *JitterBuffer) depth() int {
	if !j.started || j.highest < j.next {
		return 0
	}
	return int(j.highest - j.next + 1)
}

// Pop releases the frame due now, copying its payload into dst. quiet says the last frame
// played was near silence, so a frame may be dropped or inserted unnoticed.
func (j *JitterBuffer) Pop(dst []byte, quiet bool, now time.Time) (int, PopStatus) {
	d := j.depth()
	if !j.playing {
		if d == 0 || d < j.target {
			return 0, PopEmpty
		}
		j.playing = true
		j.excessSince = time.Time{}
		j.lowPops = 0
	}
	if d == 0 {
		// Dry. Most often the newest packet was lost: conceal it and go on, so one loss
		// does not cost a rebuffer. Dry for longer (a stall, or the sender stopped): stop
		// and refill to the target before playing again.
		if j.dryRun < 2 {
			j.dryRun++
			j.next++
			j.stats.Lost++
			return 0, PopLost
		}
		// The frames just concealed never came: take them back, so a sender that paused
		// (silence suppression) resumes with its next sequence number instead of having it
		// dropped as late.
		j.next -= int64(j.dryRun)
		j.dryRun = 0
		j.playing = false
		j.stats.Underruns++
		return 0, PopEmpty
	}
	j.dryRun = 0
	// Shrink: a frame beyond the target is dropped at once in a pause (inaudible); two
	// frames beyond it are dropped even in speech once that has lasted 2 s.
	switch {
	case d > j.target && quiet:
		j.dropNext()
		d--
		j.excessSince = time.Time{}
	case d > j.target+1:
		if j.excessSince.IsZero() {
			j.excessSince = now
		}
		if now.Sub(j.excessSince) > 2*time.Second {
			j.dropNext()
			d--
			j.excessSince = time.Time{}
		}
	default:
		j.excessSince = time.Time{}
	}
	// Stretch: persistently below target while quiet; play one silent frame in place.
	if d < j.target {
		j.lowPops++
		if quiet && j.lowPops > 50 {
			j.lowPops = 0
			j.stats.Inserts++
			return 0, PopEmpty
		}
	} else {
		j.lowPops = 0
	}
	s := &j.slots[j.next&j.mask]
	j.next++
	j.released = true
	if !s.valid || s.ext != j.next-1 {
		j.stats.Lost++
		return 0, PopLost
	}
	s.valid = false
	return copy(dst, s.payload[:s.n]), PopFrame
}

func (j *JitterBuffer) dropNext() {
	s := &j.slots[j.next&j.mask]
	s.valid = false
	j.next++
	j.stats.Dropped++
}

// Stats returns the counters and current figures.
func (j *JitterBuffer) Stats() JitterStats {
	st := j.stats
	st.Jitter = time.Duration(j.jitter * float64(time.Second))
	st.Target = time.Duration(j.target) * j.cfg.Ptime
	st.Depth = j.depth()
	return st
}
