package media

import (
	"errors"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/pion/rtcp"
)

// rtcpInterval is the mean report interval (RFC 3550 section 6.2 minimum of 5 s); each
// interval is randomised between 0.5 and 1.5 times it so two intercoms do not synchronise.
const rtcpInterval = 5 * time.Second

// rtcpState sends SR/RR from the send loop and reads the peer's reports in its own loop.
type rtcpState struct {
	s    *Session
	conn *net.UDPConn
	next time.Time // when the send loop sends the next report
	buf  []byte
	enc  []byte
	// cname is a random per-session CNAME (RFC 7022): a fixed one named the product to
	// anyone on the path.
	cname string
	// stunOut is the receive loop's buffer for STUN answers.
	stunOut [stunMaxResponse]byte

	mu       sync.Mutex
	remote   netip.AddrPort
	latched  bool
	lastSR   uint32    // middle 32 bits of the NTP time of the peer's last SR
	lastSRAt time.Time // when it arrived
	rtt      time.Duration
	fraction float64
	lost     int64
	jitter   time.Duration
}

// newRTCPState uses cfg.RTCPConn, or binds the RTP port + 1; without either it returns nil
// and the session runs without RTCP (logged).
func newRTCPState(s *Session) *rtcpState {
	c := s.cfg.RTCPConn
	if c == nil {
		la, ok := s.cfg.Conn.LocalAddr().(*net.UDPAddr)
		if !ok {
			return nil
		}
		ap := la.AddrPort()
		var err error
		c, err = net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ap.Addr(), ap.Port()+1)))
		if err != nil {
			s.log.Warn("media: running without rtcp", "err", err)
			return nil
		}
	}
	if s.cfg.DSCP > 0 {
		setDSCP(c, s.cfg.DSCP) // best effort, as for RTP (NewSession logged any failure)
	}
	r := &rtcpState{s: s, conn: c, buf: make([]byte, 1500), enc: make([]byte, 1500+srtpOverhead), cname: newCNAME()}
	r.setRemote(*s.remote.Load())
	return r
}

func (r *rtcpState) setRemote(rtpAddr netip.AddrPort) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !rtpAddr.IsValid() {
		return
	}
	r.remote = netip.AddrPortFrom(rtpAddr.Addr(), rtpAddr.Port()+1)
	r.latched = false
}

// ntp converts t to the 64-bit NTP format of RFC 3550 section 4.
func ntp(t time.Time) uint64 {
	const unixToNTP = 2208988800
	sec := uint64(t.Unix() + unixToNTP)
	frac := uint64(t.Nanosecond()) << 32 / 1e9
	return sec<<32 | frac
}

// maybeSend sends a report when due. It runs in the send loop, which owns tx.
func (r *rtcpState) maybeSend(now time.Time) {
	if r.next.IsZero() {
		r.next = now.Add(rtcpInterval / 2) // a first report early, for RTT
		return
	}
	if now.Before(r.next) {
		return
	}
	r.next = now.Add(time.Duration(float64(rtcpInterval) * (0.5 + rand.Float64())))
	r.send(now)
}

func (r *rtcpState) send(now time.Time) {
	s := r.s
	var reports []rtcp.ReceptionReport
	s.mu.Lock()
	if s.rx.haveSSRC {
		js := s.jb.Stats()
		lost := s.rx.seq.lost()
		rep := rtcp.ReceptionReport{
			SSRC:               s.rx.ssrc,
			FractionLost:       s.rx.seq.interval(),
			TotalLost:          uint32(max(0, min(lost, 0x7fffff))),
			LastSequenceNumber: uint32(s.rx.seq.max),
			Jitter:             uint32(js.Jitter.Seconds() * float64(s.codec.ClockRate())),
		}
		r.mu.Lock()
		if !r.lastSRAt.IsZero() {
			rep.LastSenderReport = r.lastSR
			rep.Delay = uint32(now.Sub(r.lastSRAt).Seconds() * 65536)
		}
		r.mu.Unlock()
		reports = append(reports, rep)
	}
	s.mu.Unlock()
	var pkt rtcp.Packet
	if s.sent.packets.Load() > 0 {
		pkt = &rtcp.SenderReport{
			SSRC: s.tx.ssrc, NTPTime: ntp(now), RTPTime: s.tx.ts,
			PacketCount: uint32(s.sent.packets.Load()), OctetCount: uint32(s.sent.bytes.Load()),
			Reports: reports,
		}
	} else {
		pkt = &rtcp.ReceiverReport{SSRC: s.tx.ssrc, Reports: reports}
	}
	b, err := rtcp.Marshal([]rtcp.Packet{pkt, &rtcp.SourceDescription{Chunks: []rtcp.SourceDescriptionChunk{{
		Source: s.tx.ssrc, Items: []rtcp.SourceDescriptionItem{{Type: rtcp.SDESCNAME, Text: r.cname}},
	}}}})
	if err != nil {
		return
	}
	if s.srtp != nil {
		if b, err = s.srtp.encryptRTCP(r.enc, b); err != nil {
			return
		}
	}
	r.mu.Lock()
	dst := r.remote
	r.mu.Unlock()
	if dst.IsValid() {
		r.conn.WriteToUDPAddrPort(b, dst)
	}
	s.emit(Event{Kind: EventStats, Stats: s.Stats()})
}

// receiveLoop reads the RTCP socket until it is closed.
func (r *rtcpState) receiveLoop() error {
	for {
		n, from, err := r.conn.ReadFromUDPAddrPort(r.buf)
		if err != nil {
			if r.s.stopping() || errors.Is(err, net.ErrClosed) {
				return nil
			}
			continue
		}
		if r.s.takeSTUN(r.conn, r.stunOut[:], r.buf[:n], unmap(from)) {
			continue
		}
		r.handle(r.buf[:n], unmap(from), r.s.clk.Now())
	}
}

// handle takes a compound RTCP packet: the peer's SR timing and its report about us.
func (r *rtcpState) handle(b []byte, from netip.AddrPort, now time.Time) {
	s := r.s
	if s.srtp != nil {
		p, err := s.srtp.decryptRTCP(nil, b) // rare: allocating beats sharing the send loop's buffer
		if err != nil {
			if plainRTCP(b) {
				s.unprotected.Add(1)
			} else {
				s.invalid.Add(1)
			}
			return
		}
		b = p
	}
	pkts, err := reportPackets(b)
	if err != nil {
		s.invalid.Add(1)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	// The RTCP twin of RTP latching: once reports come from somewhere, answer there.
	if !r.latched && from != r.remote {
		r.remote = from
	}
	r.latched = true
	for _, p := range pkts {
		var reps []rtcp.ReceptionReport
		switch p := p.(type) {
		case *rtcp.SenderReport:
			r.lastSR = uint32(p.NTPTime >> 16)
			r.lastSRAt = now
			reps = p.Reports
		case *rtcp.ReceiverReport:
			reps = p.Reports
		}
		for _, rep := range reps {
			if rep.SSRC != s.tx.ssrc {
				continue
			}
			r.fraction = float64(rep.FractionLost) / 256
			r.lost = int64(rep.TotalLost)
			r.jitter = time.Duration(float64(rep.Jitter) / float64(s.codec.ClockRate()) * float64(time.Second))
			if rep.LastSenderReport != 0 {
				// RFC 3550 section 6.4.1: RTT = A - LSR - DLSR, in 1/65536 s.
				a := uint32(ntp(now) >> 16)
				rtt := int64(a - rep.LastSenderReport - rep.Delay)
				if rtt >= 0 && rtt < 65536*10 {
					r.rtt = time.Duration(rtt * int64(time.Second) / 65536)
				}
			}
		}
	}
}

func (r *rtcpState) fill(st *Stats) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st.RTT, st.RemoteFractionLost, st.RemoteLost, st.RemoteJitter = r.rtt, r.fraction, r.lost, r.jitter
}

// reportPackets walks a compound RTCP packet and parses its sender and receiver reports, the
// only packets the session reads; the others are checked for a sound header and length and
// skipped. rtcp.Unmarshal would parse every type, and reaching its extended report's String
// (reflect's MethodByName) keeps the linker from dropping unused methods program-wide: 176 kB
// of the amd64 binary.
func reportPackets(b []byte) ([]rtcp.Packet, error) {
	if len(b) == 0 {
		return nil, ErrPacket
	}
	var pkts []rtcp.Packet
	for len(b) > 0 {
		var h rtcp.Header
		if err := h.Unmarshal(b); err != nil {
			return nil, err
		}
		n := (int(h.Length) + 1) * 4
		if n > len(b) {
			return nil, ErrPacket
		}
		var p rtcp.Packet
		switch h.Type {
		case rtcp.TypeSenderReport:
			p = new(rtcp.SenderReport)
		case rtcp.TypeReceiverReport:
			p = new(rtcp.ReceiverReport)
		}
		if p != nil {
			if err := p.Unmarshal(b[:n]); err != nil {
				return nil, err
			}
			pkts = append(pkts, p)
		}
		b = b[n:]
	}
	return pkts, nil
}
