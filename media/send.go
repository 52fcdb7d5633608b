package media

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/pion/rtp"
)

// dtmfToneDur and dtmfGapDur shape a sent digit when the SessionConfig leaves it open: long
// enough for any receiver (Q.24 asks 40 ms), short enough to key ten digits a second.
const (
	dtmfToneDur = 60 * time.Millisecond
	dtmfGapDur  = 40 * time.Millisecond
	dtmfEnds    = 3 // RFC 4733 section 2.5.1.4: the end packet is sent three times
)

// The limits of [media] dtmf_duration and dtmf_gap. The longest digit still fits RFC 4733's
// 16-bit duration at 16 kHz event clocks with room to spare.
const (
	MinDTMFDuration = 40 * time.Millisecond
	MinDTMFGap      = 20 * time.Millisecond
	MaxDTMFTime     = 2 * time.Second
)

// txState belongs to the send loop.
type txState struct {
	conv    *captureConv
	devBuf  []int16 // one capture period, interleaved
	pcm     []int16 // one packet at the codec's rate, mono
	pkt     []byte  // header + payload
	enc     []byte  // SRTP output
	hdr     rtp.Header
	ssrc    uint32
	seq     uint16
	ts      uint32
	started bool // first packet sent (marker bit)

	keepaliveNext time.Time // next keepalive while the direction sends nothing
	kaN           uint64    // keepalives sent: their transaction IDs

	statsNext time.Time // next EventStats when there is no RTCP to carry the rhythm

	// DTMF being sent.
	dtmfOn                bool
	dtmfEvent             uint8
	dtmfTS                uint32
	dtmfFrame             int // frames of the event sent so far
	dtmfGap               int // frames of audio still to send before the next digit
	toneFrames, gapFrames int
}

func (t *txState) init(s *Session, conv *captureConv, f Format) {
	t.conv = conv
	t.devBuf = make([]int16, s.capFrames*f.Channels)
	t.pcm = make([]int16, s.codecFrame)
	t.pkt = make([]byte, 12+s.codec.PayloadLen(s.codecFrame)+16)
	t.enc = make([]byte, len(t.pkt)+srtpOverhead)
	t.ssrc, t.seq = newSSRC()
	t.ts = uint32(t.seq) << 8
	t.toneFrames, t.gapFrames = dtmfFrames(s.cfg.DTMFDuration, s.cfg.DTMFGap, s.frameDur)
}

// dtmfFrames turns a digit's duration and the gap after it into whole packets of frameDur
// (rounded up; 0 takes the defaults).
func dtmfFrames(tone, gap, frameDur time.Duration) (toneFrames, gapFrames int) {
	if tone <= 0 {
		tone = dtmfToneDur
	}
	if gap <= 0 {
		gap = dtmfGapDur
	}
	toneFrames = int((min(tone, MaxDTMFTime) + frameDur - 1) / frameDur)
	gapFrames = int((min(gap, MaxDTMFTime) + frameDur - 1) / frameDur)
	return toneFrames, gapFrames
}

// sendLoop is paced by capture.Read: one packet per period the device delivers.
func (s *Session) sendLoop() error {
	s.realtime("send", ClockPaced(s.capture))
	for {
		start := s.clk.Now()
		n, err := s.capture.Read(s.tx.devBuf)
		if s.stopping() {
			return nil
		}
		if err != nil {
			return fmt.Errorf("media: capture: %w", err)
		}
		if !s.capPaced && s.capSpin.spinning(s.clk.Since(start), s.frameDur) {
			s.capPaced = true
			s.log.Warn("media: capture device does not block; pacing it with the clock")
		}
		if s.capPaced && s.capPacer.wait(s.capFrames) != nil {
			return nil
		}
		if n < s.capFrames {
			clear(s.tx.devBuf[n*s.capture.Format().Channels:])
		}
		s.sendFrame(s.clk.Now())
	}
}

// sendFrame turns the capture period in tx.devBuf into a packet (or a DTMF event packet).
func (s *Session) sendFrame(now time.Time) {
	t := &s.tx
	t.conv.convert(t.pcm, t.devBuf)
	if !t.dtmfOn && t.dtmfGap == 0 {
		select {
		case ev := <-s.dtmfQ:
			t.dtmfOn, t.dtmfEvent, t.dtmfTS, t.dtmfFrame = true, ev, t.ts, 0
		default:
		}
	}
	inband := s.cfg.DTMFPayloadType == 0
	switch {
	case t.dtmfOn && inband:
		dtmfTone(t.pcm, t.dtmfEvent, s.codec.SampleRate(), t.dtmfFrame*len(t.pcm))
		t.dtmfFrame++
		if t.dtmfFrame >= t.toneFrames {
			t.dtmfOn, t.dtmfGap = false, t.gapFrames
			s.dtmfSent.Add(1)
		}
	case t.dtmfGap > 0 && inband:
		clear(t.pcm) // a silent gap so the far end's detector sees two digits, not one
		t.dtmfGap--
	case t.dtmfGap > 0:
		t.dtmfGap--
	}
	s.sendLevel.Store(Level(t.pcm))
	if s.dir.Load()&dirSend != 0 {
		if t.dtmfOn && !inband {
			s.sendEvent()
		} else {
			t.hdr = rtp.Header{Version: 2, Marker: !t.started, PayloadType: s.cfg.PayloadType,
				SequenceNumber: t.seq, Timestamp: t.ts, SSRC: t.ssrc}
			n, err := t.hdr.MarshalTo(t.pkt)
			if err == nil {
				n += s.codec.Encode(t.pkt[n:], t.pcm)
				s.writeRTP(t.pkt[:n])
				t.started = true
			}
		}
	} else {
		// Not sending: drop the digit rather than let it play out when the hold ends.
		t.dtmfOn = false
		if !now.Before(t.keepaliveNext) {
			s.sendKeepalive()
			t.keepaliveNext = now.Add(mediaKeepalive)
		}
	}
	t.ts += s.tsPerFrame
	if s.rtcp != nil {
		s.rtcp.maybeSend(now) // emits EventStats with each report
	} else if now.After(t.statsNext) {
		if !t.statsNext.IsZero() {
			s.emit(Event{Kind: EventStats, Stats: s.Stats()})
		}
		t.statsNext = now.Add(rtcpInterval)
	}
}

// sendEvent sends this period's RFC 4733 packet(s) for the digit in progress: one per period
// with a growing duration, then three end packets, all with the event's start timestamp.
func (s *Session) sendEvent() {
	t := &s.tx
	t.dtmfFrame++
	end := t.dtmfFrame >= t.toneFrames
	ev := TelephoneEvent{Event: t.dtmfEvent, Volume: 10, End: end,
		Duration: uint16(min(0xffff, int(s.tsPerFrame)*t.dtmfFrame))}
	copies := 1
	if end {
		copies = dtmfEnds
	}
	for i := 0; i < copies; i++ {
		t.hdr = rtp.Header{Version: 2, Marker: t.dtmfFrame == 1, PayloadType: s.cfg.DTMFPayloadType,
			SequenceNumber: t.seq, Timestamp: t.dtmfTS, SSRC: t.ssrc}
		n, err := t.hdr.MarshalTo(t.pkt)
		if err != nil {
			return
		}
		n += ev.MarshalTo(t.pkt[n:])
		s.writeRTP(t.pkt[:n])
	}
	if end {
		t.dtmfOn, t.dtmfGap = false, t.gapFrames
		s.dtmfSent.Add(1)
	}
}

// Media keepalive (RFC 6263 section 4.6): while a session sends no audio (early media,
// held, recvonly) a STUN Binding indication leaves the RTP port now and then, so a NAT in
// front of the door opens, and keeps open, the mapping the peer's packets need. Its first
// byte is below 4, so RTP and SRTP receivers demultiplex it away (RFC 7983) without counting
// a lost or unauthenticated packet, and it needs no answer.
const (
	mediaKeepalive = 15 * time.Second
	stunIndication = 0x0011
)

// appendIndication writes a Binding indication with transaction ID txID into dst[:0].
func appendIndication(dst []byte, txID [12]byte) []byte {
	b := dst[:stunHeaderLen]
	binary.BigEndian.PutUint16(b[0:2], stunIndication)
	binary.BigEndian.PutUint16(b[2:4], 0)
	binary.BigEndian.PutUint32(b[4:8], stunMagicCookie)
	copy(b[8:20], txID[:])
	return b
}

// sendKeepalive sends one keepalive from the RTP port to the peer (not counted as audio).
func (s *Session) sendKeepalive() {
	t := &s.tx
	t.kaN++
	var id [12]byte
	binary.BigEndian.PutUint32(id[0:4], t.ssrc)
	binary.BigEndian.PutUint64(id[4:12], t.kaN)
	remote := s.remote.Load()
	if !remote.IsValid() {
		return
	}
	if err := s.rtpIO.writeTo(s.cfg.Conn, appendIndication(t.pkt[:0], id), *remote); err == nil {
		s.keepalivesSent.Add(1)
	}
}

// writeRTP protects and sends one packet, advancing the sequence number.
func (s *Session) writeRTP(pkt []byte) {
	s.tx.seq++
	out := pkt
	if s.srtp != nil {
		var err error
		if out, err = s.srtp.encryptRTP(s.tx.enc, pkt); err != nil {
			return
		}
	}
	remote := s.remote.Load()
	if !remote.IsValid() {
		return
	}
	if err := s.rtpIO.writeTo(s.cfg.Conn, out, *remote); err != nil {
		return // ICMP errors and full buffers: the next period tries again
	}
	s.sent.packets.Add(1)
	s.sent.bytes.Add(int64(len(pkt) - 12))
}
