package media

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/pion/rtp"
)

// dupRestart consecutive "duplicates" mean the sender restarted its sequence numbers just
// below where they were (a redundant end packet comes three times at most).
const dupRestart = 8

// ssrcProbation is how many consecutive packets a new SSRC needs before it replaces the
// current one (RFC 3550 A.1 uses two; one more guards against a stray stream).
const ssrcProbation = 3

// rxState belongs to the receive loop (fields after buf also to holders of Session.mu).
type rxState struct {
	buf   []byte
	plain []byte // SRTP output
	hdr   rtp.Header

	latched    bool
	fromRemote int
	cand       netip.AddrPort
	candN      int

	haveSSRC bool
	ssrc     uint32
	ssrcCand uint32
	ssrcN    int
	seq      seqTracker
	dupRun   int // consecutive packets seq called duplicates

	stunOut [stunMaxResponse]byte // STUN answers from the receive loop

	// Telephone-event timestamps already reported (dedupe, RFC 4733 section 2.5.2.1).
	dtmfSeen [8]uint32
	dtmfN    int
	dtmfHave int
	// The latest event: its key, timestamp, longest duration seen and whether it ended.
	evHave  bool
	evCode  uint8
	evTS    uint32
	evDur   uint16
	evEnded bool

	// In-band DTMF is detected here, on each audio packet as it arrives (in sequence order,
	// older ones skipped), not on what the playout plays: when the playout is late (a loaded
	// machine) the jitter buffer conceals and then drops the late packets, and a digit's
	// whole tone could go with them though every packet arrived. detCodec is a decoder of
	// its own (G.722 keeps state; the playout's must not see a packet twice).
	detect   *dtmfDetector
	detCodec Codec
	detPCM   []int16
	detSeq   uint16
	detHave  bool
}

func (r *rxState) init(maxPayload int, codec Codec, cfg SessionConfig) error {
	// Room for a maximal packet (header, CSRCs, extensions, SRTP tag) and one byte to tell a
	// truncated read from a packet of exactly the buffer's size.
	r.buf = make([]byte, max(1500, maxPayload+512))
	r.plain = make([]byte, len(r.buf))
	// Always, even with telephone-event negotiated: a PBX may turn the caller's events into
	// tones. A digit that also came as an event is the controller's adapter's to merge.
	dc, err := NewCodec(cfg.Codec, cfg.ClockRate)
	if err != nil {
		return err
	}
	r.detCodec, r.detPCM = dc, make([]int16, codec.Samples(maxPayload))
	r.detect = newDTMFDetector(codec.SampleRate())
	return nil
}

// detectInBand feeds an audio payload to the in-band DTMF detector if it is newer than the
// last fed; s.mu is held.
func (s *Session) detectInBand(seq uint16, payload []byte) {
	r := &s.rx
	if r.detect == nil || (r.detHave && int16(seq-r.detSeq) <= 0) {
		return
	}
	r.detSeq, r.detHave = seq, true
	if r.detCodec.Samples(len(payload)) > len(r.detPCM) {
		return
	}
	n := r.detCodec.Decode(r.detPCM, payload)
	if d, ok := r.detect.feed(r.detPCM[:n]); ok {
		s.dtmfRecvd.Add(1)
		s.emit(Event{Kind: EventDTMF, Digit: d, InBand: true})
	}
}

// receiveLoop reads the RTP socket until it is closed.
func (s *Session) receiveLoop() error {
	for {
		n, from, err := s.rtpIO.readFrom(s.cfg.Conn, s.rx.buf)
		if err != nil {
			if s.stopping() || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("media: rtp read: %w", err)
		}
		if n == len(s.rx.buf) {
			s.invalid.Add(1) // truncated by our buffer: oversize
			continue
		}
		s.handlePacket(s.rx.buf[:n], from, s.clk.Now())
	}
}

// handlePacket validates one datagram from the RTP socket and routes it.
func (s *Session) handlePacket(b []byte, from netip.AddrPort, now time.Time) {
	var out stunWriter = s.cfg.Conn
	if s.rtpIO.detached {
		out = &s.rtpIO // the conn is closed; only the loop, which calls this, writes there
	}
	if s.takeSTUN(out, s.rx.stunOut[:], b, unmap(from)) {
		return
	}
	if len(b) >= 2 && b[1] >= 192 && b[1] <= 223 && s.rtcp != nil {
		s.rtcp.handle(b, unmap(from), now) // RTCP multiplexed on the RTP port (RFC 5761)
		return
	}
	if len(b) < 12 || b[0]>>6 != 2 {
		s.invalid.Add(1)
		return
	}
	if s.srtp != nil {
		p, err := s.srtp.decryptRTP(s.rx.plain, b)
		if err != nil {
			s.invalid.Add(1)
			return
		}
		b = p
	}
	h := &s.rx.hdr
	hl, err := h.Unmarshal(b)
	if err != nil || hl > len(b) {
		s.invalid.Add(1)
		return
	}
	payload := b[hl:]
	if h.Padding {
		p := int(b[len(b)-1])
		if p == 0 || p > len(payload) {
			s.invalid.Add(1)
			return
		}
		payload = payload[:len(payload)-p]
	}
	audio := h.PayloadType == s.cfg.PayloadType
	dtmf := s.cfg.DTMFPayloadType != 0 && h.PayloadType == s.cfg.DTMFPayloadType
	if !audio && !dtmf {
		s.invalid.Add(1)
		return
	}
	if (audio && len(payload) > s.jb.cfg.MaxPayload) || (dtmf && len(payload) < telephoneEventLen) {
		s.invalid.Add(1)
		return
	}
	if s.dir.Load()&dirRecv == 0 {
		return // on hold: the peer should not send; if it does, do not play it
	}
	from = unmap(from)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.acceptSource(from) {
		s.foreign.Add(1)
		return
	}
	if !s.acceptSSRC(h.SSRC) {
		s.wrongSSRC.Add(1)
		return
	}
	s.lastRecv.Store(now.UnixNano())
	if s.rx.seq.update(h.SequenceNumber) {
		s.rx.dupRun++
		if s.rx.dupRun < dupRestart {
			// A copy of a packet already taken (a redundant RFC 4733 end packet, or the
			// network duplicating): neither received again nor played or reported twice.
			s.dupRecv.Add(1)
			return
		}
		// Copies do not come this many in a row: the sender restarted its sequence a little
		// lower with the same SSRC. Count afresh rather than drop the stream.
		s.rx.seq.reset()
		s.rx.seq.update(h.SequenceNumber)
	}
	s.rx.dupRun = 0
	s.recvd.packets.Add(1)
	s.recvd.bytes.Add(int64(len(payload)))
	if audio {
		s.jb.Insert(h.SequenceNumber, h.Timestamp, payload, now)
		s.detectInBand(h.SequenceNumber, payload)
		return
	}
	// The event's sequence numbers are a hole in the audio stream, not loss: fill it with
	// an empty payload, which plays as silence (the sender muted audio for the digit).
	s.jb.Insert(h.SequenceNumber, h.Timestamp, nil, now)
	s.receiveEvent(h.Timestamp, payload)
}

// acceptSource implements symmetric RTP latching. Packets from the signalled address are
// always taken, and enough of them confirm it for the rest of the call. Until then, a
// different address that sends latchN valid packets in a row becomes the destination (the
// peer is behind NAT); after that nothing moves it but SetRemote.
func (s *Session) acceptSource(from netip.AddrPort) bool {
	r := &s.rx
	if from == *s.remote.Load() {
		if !r.latched {
			r.fromRemote++
			if s.latchN > 0 && r.fromRemote >= s.latchN {
				r.latched = true
			}
		}
		r.candN = 0
		return true
	}
	if r.latched || s.latchN < 0 {
		return false
	}
	if from == r.cand {
		r.candN++
	} else {
		r.cand, r.candN = from, 1
	}
	if r.candN < s.latchN {
		return false
	}
	a := from
	s.remote.Store(&a)
	r.latched = true
	if s.rtcp != nil {
		s.rtcp.setRemote(a)
	}
	s.log.Info("media: latched to the peer's source address", "remote", a)
	return true
}

// acceptSSRC keeps one stream: a new SSRC is adopted after ssrcProbation consecutive packets
// (the peer restarted its stack, or a B2BUA switched legs), which restarts the jitter buffer.
func (s *Session) acceptSSRC(ssrc uint32) bool {
	r := &s.rx
	if !r.haveSSRC {
		r.haveSSRC, r.ssrc = true, ssrc
		return true
	}
	if ssrc == r.ssrc {
		r.ssrcN = 0
		return true
	}
	if ssrc == r.ssrcCand {
		r.ssrcN++
	} else {
		r.ssrcCand, r.ssrcN = ssrc, 1
	}
	if r.ssrcN < ssrcProbation {
		return false
	}
	r.ssrc, r.ssrcN = ssrc, 0
	r.seq.reset()
	r.dtmfHave, r.evHave, r.detHave = 0, false, false
	s.jb.Reset()
	s.log.Info("media: peer changed ssrc", "ssrc", ssrc)
	return true
}

// receiveEvent reports a telephone-event digit once: on the first packet of an event
// timestamp, whichever of its packets (start, update, or end) arrives first.
func (s *Session) receiveEvent(ts uint32, payload []byte) {
	ev, err := ParseTelephoneEvent(payload)
	if err != nil {
		return // length checked by handlePacket
	}
	r := &s.rx
	if r.evHave && ts == r.evTS {
		r.evEnded = r.evEnded || ev.End
		r.evDur = max(r.evDur, ev.Duration)
		return
	}
	for i := 0; i < r.dtmfHave; i++ {
		if r.dtmfSeen[i] == ts {
			return
		}
	}
	r.dtmfSeen[r.dtmfN] = ts
	r.dtmfN = (r.dtmfN + 1) % len(r.dtmfSeen)
	r.dtmfHave = min(r.dtmfHave+1, len(r.dtmfSeen))
	// Some senders restamp every packet of one key press. A new timestamp for the same key
	// while its event has not ended, no further on than the event's duration and one
	// packet, is that press going on; a second press of the key after lost end packets
	// starts later than that (after the gap between digits).
	continues := r.evHave && ev.Event == r.evCode && !r.evEnded && ts-r.evTS <= uint32(r.evDur)+s.tsPerFrame
	r.evHave, r.evCode, r.evTS, r.evDur, r.evEnded = true, ev.Event, ts, ev.Duration, ev.End
	if continues {
		return
	}
	d, ok := EventDigit(ev.Event)
	if !ok {
		return
	}
	s.dtmfRecvd.Add(1)
	s.emit(Event{Kind: EventDTMF, Digit: d})
}
