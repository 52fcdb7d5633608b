package media

import (
	"math"
	"net/netip"
	"sync/atomic"
	"time"
)

// Stats is a snapshot of a Session's counters and figures.
type Stats struct {
	PacketsSent, BytesSent         int64
	PacketsReceived, BytesReceived int64 // valid RTP (audio and telephone-event) from the peer
	// Lost is RFC 3550 cumulative loss: packets expected from the sequence numbers, minus
	// received; duplicates are not counted as received.
	Lost int64
	// Late: dropped by the jitter buffer. Duplicates: copies of a packet already received
	// (same sequence number), not counted in PacketsReceived.
	Late, Duplicates int64
	// Invalid: garbage, truncated, wrong version, bad padding, unknown payload type, oversize,
	// failed SRTP authentication.
	Invalid int64
	// STUN: STUN messages on the RTP and RTCP ports (ICE consent checks, NAT keepalives from
	// Linphone or browsers); binding requests are answered. Not counted as Invalid.
	STUN int64
	// Unprotected: well-formed plain RTCP on an SRTP session, dropped unread (it cannot be
	// authenticated). baresip sends one, an APP "PING" to open NAT pinholes, when it starts
	// RTCP before its SRTP keys are set (it called and our answer is just in). Not Invalid.
	Unprotected int64
	// KeepalivesSent: STUN Binding indications sent from the RTP port to open and keep
	// open a NAT mapping (at start, then every 15 s while no audio is sent).
	KeepalivesSent int64
	// WrongSSRC: packets from a second SSRC not (yet) adopted.
	WrongSSRC int64
	// Foreign: packets from an address that is neither the peer nor latched.
	Foreign int64
	// Concealed frames were played by loss concealment; Underruns counts the buffer running
	// dry; Dropped frames were discarded to shrink the delay.
	Concealed, Underruns, Dropped int64
	// Jitter is the RFC 3550 interarrival jitter of what we receive; JitterDelay the jitter
	// buffer's current target.
	Jitter, JitterDelay time.Duration
	// RTT is the round trip from the last RTCP report block about our stream (0 = unknown).
	RTT time.Duration
	// RemoteFractionLost and RemoteJitter are what the peer reports about our stream.
	RemoteFractionLost float64
	RemoteLost         int64
	RemoteJitter       time.Duration
	// SendLevel and RecvLevel are the RMS levels in dBFS of the last frame sent and the last
	// frame received (LevelFloor for silence).
	SendLevel, RecvLevel   float64
	DTMFSent, DTMFReceived int64
	// EventsLost counts events dropped because the reader of Events fell behind.
	EventsLost int64
	// Remote is where we send; Latched says symmetric RTP moved or confirmed it.
	Remote  netip.AddrPort
	Latched bool
}

// atomicFloat is a float64 the two real-time loops write and Stats reads without a lock.
type atomicFloat struct{ v atomic.Uint64 }

func (a *atomicFloat) Store(f float64) { a.v.Store(math.Float64bits(f)) }
func (a *atomicFloat) Load() float64   { return math.Float64frombits(a.v.Load()) }

// seqWindow is how many recent sequence numbers seqTracker remembers to tell a repeated
// packet from a new one: 1.28 s of 20 ms packets, far more than the few milliseconds between
// a sender's copies of an RFC 4733 end packet.
const seqWindow = 64

// seqTracker counts expected and received packets for RTCP (RFC 3550 A.1 and A.3). A packet
// whose sequence number it has already counted is a duplicate and is not counted again:
// Linphone sends each RFC 4733 end packet three times with one sequence number, and
// counting each copy made "lost" negative.
type seqTracker struct {
	started            bool
	base, max          int64
	received           int64
	expPrior, recPrior int64
	seen               [seqWindow]int64 // extended sequence numbers by ext % seqWindow
}

func (t *seqTracker) reset() { *t = seqTracker{} }

// update counts a packet with sequence number seq and reports whether it repeats one already
// counted (then nothing is counted).
func (t *seqTracker) update(seq uint16) (duplicate bool) {
	if !t.started {
		t.started = true
		t.base = 1<<32 | int64(seq)
		t.max = t.base
		t.received = 1
		t.seen[t.base%seqWindow] = t.base
		return false
	}
	ext := t.max + int64(int16(seq-uint16(t.max)))
	slot := &t.seen[ext%seqWindow]
	if *slot == ext {
		return true
	}
	if ext > t.max-seqWindow {
		// Older packets are counted but not remembered: their slot holds a newer one.
		*slot = ext
	}
	if ext > t.max {
		t.max = ext
	}
	t.received++
	return false
}

func (t *seqTracker) expected() int64 {
	if !t.started {
		return 0
	}
	return t.max - t.base + 1
}

func (t *seqTracker) lost() int64 { return t.expected() - t.received }

// interval returns the fraction lost (RFC 3550 A.3, in 1/256) since the last call.
func (t *seqTracker) interval() uint8 {
	exp := t.expected()
	expInt := exp - t.expPrior
	recInt := t.received - t.recPrior
	t.expPrior, t.recPrior = exp, t.received
	lostInt := expInt - recInt
	if expInt <= 0 || lostInt <= 0 {
		return 0
	}
	return uint8(min(255, lostInt<<8/expInt))
}
