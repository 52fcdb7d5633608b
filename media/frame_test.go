package media

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	"github.com/pion/rtp"
)

// frameRig is a Session that is not running, so a test can drive its per-frame steps
// directly, plus a peer socket on loopback.
type frameRig struct {
	s    *Session
	peer *net.UDPConn
	addr netip.AddrPort // the session's RTP address
	now  time.Time      // receive side
	sent time.Time      // send side
	seq  uint16
	ts   uint32
	pkt  []byte
	pcm  []int16
	wrap func() []byte // optional transform of packet(), for SRTP
}

func (r *frameRig) packetFn(f func() []byte) { r.wrap = f }

func newFrameRig(tb testing.TB, codec string, dev Format, srtpKeys *SRTPKeys) *frameRig {
	tb.Helper()
	conn, err := ListenRTP(40000, 49999, loopback)
	if err != nil {
		tb.Fatal(err)
	}
	peer, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, 0)))
	if err != nil {
		tb.Fatal(err)
	}
	fk := clock.NewFake(time.Unix(1e9, 0))
	s, err := NewSession(SessionConfig{Conn: conn, Remote: peer.LocalAddr().(*net.UDPAddr).AddrPort(),
		Codec: codec, PayloadType: 8, DTMFPayloadType: 101, SRTP: srtpKeys},
		NewTone(440, dev, fk), NewNull(dev, fk), Options{Clock: fk})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close(); peer.Close() })
	r := &frameRig{s: s, peer: peer, addr: conn.LocalAddr().(*net.UDPAddr).AddrPort(), now: fk.Now(),
		pkt: make([]byte, 1500), pcm: sine(s.codecFrame, s.codec.SampleRate(), 1000, 10000)}
	for i := range s.tx.devBuf {
		s.tx.devBuf[i] = int16(i * 37)
	}
	return r
}

// packet builds the next audio packet the peer would send.
func (r *frameRig) packet() []byte {
	h := rtp.Header{Version: 2, PayloadType: 8, SequenceNumber: r.seq, Timestamp: r.ts, SSRC: 0xdecafbad}
	n, _ := h.MarshalTo(r.pkt)
	n += r.s.codec.Encode(r.pkt[n:], r.pcm)
	r.seq++
	r.ts += r.s.tsPerFrame
	return r.pkt[:n]
}

func (r *frameRig) sendStep() {
	r.sent = r.sent.Add(20 * time.Millisecond)
	r.s.sendFrame(r.sent)
}

func (r *frameRig) receiveStep(tb testing.TB) {
	r.now = r.now.Add(20 * time.Millisecond)
	pkt := r.packet
	if r.wrap != nil {
		pkt = r.wrap
	}
	if _, err := r.peer.WriteToUDPAddrPort(pkt(), r.addr); err != nil {
		tb.Fatal(err)
	}
	n, from, err := r.s.rtpIO.readFrom(r.s.cfg.Conn, r.s.rx.buf)
	if err != nil {
		tb.Fatal(err)
	}
	r.s.handlePacket(r.s.rx.buf[:n], from, r.now)
	r.s.playFrame(r.now)
}

func TestFramePathZeroAlloc(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates; allocation counts are checked without -race")
	}
	key := make([]byte, 30)
	tests := []struct {
		name  string
		codec string
		dev   Format
		srtp  *SRTPKeys
	}{
		{"pcma 8k mono", "PCMA", Format{8000, 1}, nil},
		{"pcmu 48k stereo", "PCMU", Format{48000, 2}, nil},
		{"g722 48k stereo", "G722", Format{48000, 2}, nil},
		{"pcma srtp", "PCMA", Format{8000, 1}, &SRTPKeys{LocalKey: key, RemoteKey: key}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newFrameRig(t, tc.codec, tc.dev, tc.srtp)
			if tc.srtp != nil {
				// The peer must speak SRTP too: encrypt what it sends with the same key.
				enc, _ := newSRTPState(*tc.srtp)
				plain := r.packet
				buf := make([]byte, 1500)
				r.packetFn(func() []byte { b, _ := enc.encryptRTP(buf, plain()); return b })
			}
			// Warm up: the jitter buffer starts playing, SRTP learns the SSRC.
			for i := 0; i < 10; i++ {
				r.sendStep()
				r.receiveStep(t)
			}
			if a := testing.AllocsPerRun(50, r.sendStep); a != 0 {
				t.Errorf("send path: %v allocs per frame", a)
			}
			if a := testing.AllocsPerRun(50, func() { r.receiveStep(t) }); a != 0 {
				t.Errorf("receive path: %v allocs per frame", a)
			}
			st := r.s.Stats()
			if st.PacketsReceived < 60 || st.Concealed != 0 || st.Invalid != 0 || st.Jitter > time.Millisecond || st.JitterDelay != 40*time.Millisecond {
				t.Errorf("stats after the run: %+v", st)
			}
		})
	}
}

func BenchmarkFrameSend(b *testing.B) {
	r := newFrameRig(b, "PCMA", Format{8000, 1}, nil)
	b.ReportAllocs()
	for b.Loop() {
		r.sendStep()
	}
}

func BenchmarkFrameSend48kStereo(b *testing.B) {
	r := newFrameRig(b, "PCMA", Format{48000, 2}, nil)
	b.ReportAllocs()
	for b.Loop() {
		r.sendStep()
	}
}

func BenchmarkFrameReceive(b *testing.B) {
	r := newFrameRig(b, "PCMA", Format{8000, 1}, nil)
	b.ReportAllocs()
	for b.Loop() {
		r.receiveStep(b)
	}
}

func BenchmarkFrameSendG722(b *testing.B) {
	r := newFrameRig(b, "G722", Format{16000, 1}, nil)
	b.ReportAllocs()
	for b.Loop() {
		r.sendStep()
	}
}

func BenchmarkFrameReceiveG722(b *testing.B) {
	r := newFrameRig(b, "G722", Format{16000, 1}, nil)
	b.ReportAllocs()
	for b.Loop() {
		r.receiveStep(b)
	}
}

func BenchmarkFrameReceive48kStereo(b *testing.B) {
	r := newFrameRig(b, "PCMA", Format{48000, 2}, nil)
	b.ReportAllocs()
	for b.Loop() {
		r.receiveStep(b)
	}
}
