package media

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	"github.com/pion/rtp"
)

func pkt(pt uint8, seq uint16, ts, ssrc uint32, payload []byte) []byte {
	b, _ := (&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: seq, Timestamp: ts, SSRC: ssrc}, Payload: payload}).Marshal()
	return b
}

func TestBadPacketsCounted(t *testing.T) {
	good := pkt(8, 1, 160, 7, make([]byte, 160))
	tests := []struct {
		name  string
		b     []byte
		field func(Stats) int64
	}{
		{"empty", nil, func(s Stats) int64 { return s.Invalid }},
		{"truncated header", good[:11], func(s Stats) int64 { return s.Invalid }},
		{"version 1", append([]byte{0x40}, good[1:]...), func(s Stats) int64 { return s.Invalid }},
		{"csrc count beyond packet", append([]byte{0x8f}, good[1:12]...), func(s Stats) int64 { return s.Invalid }},
		{"padding beyond payload", func() []byte { b := append([]byte{0xa0}, good[1:]...); b[len(b)-1] = 200; return b }(), func(s Stats) int64 { return s.Invalid }},
		{"unknown payload type", pkt(96, 1, 160, 7, make([]byte, 160)), func(s Stats) int64 { return s.Invalid }},
		{"oversize", pkt(8, 1, 160, 7, make([]byte, 4*160+1)), func(s Stats) int64 { return s.Invalid }},
		{"short telephone-event", pkt(101, 1, 160, 7, []byte{1, 2}), func(s Stats) int64 { return s.Invalid }},
		{"garbage", []byte("INVITE sip:door SIP/2.0\r\n\r\n"), func(s Stats) int64 { return s.Invalid }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newFrameRig(t, "PCMA", Format{8000, 1}, nil)
			r.s.handlePacket(tc.b, *r.s.remote.Load(), r.now)
			st := r.s.Stats()
			if tc.field(st) != 1 {
				t.Errorf("counter = %d, want 1 (stats %+v)", tc.field(st), st)
			}
			if st.PacketsReceived != 0 {
				t.Errorf("accepted as valid: %+v", st)
			}
		})
	}
}

func TestLatching(t *testing.T) {
	nat := netip.MustParseAddrPort("127.0.0.1:6000")
	other := netip.MustParseAddrPort("127.0.0.1:7000")
	tests := []struct {
		name        string
		from        []netip.AddrPort // one packet each, in order
		wantRemote  string           // "sdp", "nat" or "other"
		wantForeign int64
	}{
		{"stays on the signalled address", []netip.AddrPort{{}, {}, {}}, "sdp", 0},
		{"latches after five from one source", rep(nat, 5), "nat", 4},
		{"four are not enough", rep(nat, 4), "sdp", 4},
		{"interleaved sources never latch", []netip.AddrPort{nat, other, nat, other, nat, other, nat, other, nat}, "sdp", 9},
		{"confirmed address is never left", append(rep(netip.AddrPort{}, 5), rep(nat, 20)...), "sdp", 20},
		{"latched address is never left", append(rep(nat, 5), rep(other, 20)...), "nat", 24},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newFrameRig(t, "PCMA", Format{8000, 1}, nil)
			sdp := *r.s.remote.Load()
			for i, from := range tc.from {
				if !from.IsValid() {
					from = sdp
				}
				r.s.handlePacket(pkt(8, uint16(i), uint32(i)*160, 7, make([]byte, 160)), from, r.now)
			}
			want := map[string]netip.AddrPort{"sdp": sdp, "nat": nat, "other": other}[tc.wantRemote]
			st := r.s.Stats()
			if st.Remote != want || st.Foreign != tc.wantForeign {
				t.Errorf("remote %s foreign %d, want %s %d", st.Remote, st.Foreign, want, tc.wantForeign)
			}
		})
	}
}

func rep(a netip.AddrPort, n int) []netip.AddrPort {
	out := make([]netip.AddrPort, n)
	for i := range out {
		out[i] = a
	}
	return out
}

func TestSSRCChange(t *testing.T) {
	r := newFrameRig(t, "PCMA", Format{8000, 1}, nil)
	from := *r.s.remote.Load()
	send := func(ssrc uint32, seq uint16) {
		r.s.handlePacket(pkt(8, seq, uint32(seq)*160, ssrc, make([]byte, 160)), from, r.now)
	}
	for i := uint16(0); i < 5; i++ {
		send(1, i)
	}
	send(2, 9000) // a stray packet of another stream
	send(1, 5)
	if st := r.s.Stats(); st.WrongSSRC != 1 || st.PacketsReceived != 6 {
		t.Fatalf("stray ssrc: %+v", st)
	}
	for i := uint16(0); i < ssrcProbation; i++ { // the peer restarted: adopted after probation
		send(3, 100+i)
	}
	st := r.s.Stats()
	if st.WrongSSRC != 1+ssrcProbation-1 || r.s.rx.ssrc != 3 || r.s.jb.Stats().Depth != 1 {
		t.Fatalf("new ssrc not adopted: ssrc %d, %+v", r.s.rx.ssrc, st)
	}
}

func TestDTMFReceiveOnceInOrder(t *testing.T) {
	r := newFrameRig(t, "PCMA", Format{8000, 1}, nil)
	from := *r.s.remote.Load()
	seq := uint16(0)
	send := func(ts uint32, ev TelephoneEvent) {
		var p [4]byte
		ev.MarshalTo(p[:])
		r.s.handlePacket(pkt(101, seq, ts, 7, p[:]), from, r.now)
		seq++
	}
	// Ten digits a second: 50 ms of event (updates every 20 ms, three end packets), 50 ms gap.
	const keyed = "0123456789*#ABCD"
	for i, d := range keyed {
		e, _ := DigitEvent(d)
		ts := uint32(i) * 800
		if i%3 == 1 {
			send(ts, TelephoneEvent{Event: e, Duration: 400, End: true}) // start packets lost
		} else {
			send(ts, TelephoneEvent{Event: e, Duration: 160})
			send(ts, TelephoneEvent{Event: e, Duration: 320})
			send(ts, TelephoneEvent{Event: e, Duration: 400, End: true})
		}
		send(ts, TelephoneEvent{Event: e, Duration: 400, End: true})
		send(ts, TelephoneEvent{Event: e, Duration: 400, End: true})
	}
	var got []rune
	for len(r.s.events) > 0 {
		ev := <-r.s.events
		if ev.Kind != EventDTMF || ev.InBand {
			t.Fatalf("event %+v", ev)
		}
		got = append(got, ev.Digit)
	}
	if string(got) != keyed {
		t.Errorf("digits %q, want %q", string(got), keyed)
	}
}

func TestRTPTimeout(t *testing.T) {
	fk := clock.NewFake(time.Unix(1e9, 0))
	conn, err := ListenRTP(40000, 49999, loopback)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSession(SessionConfig{Conn: conn, Remote: netip.MustParseAddrPort("127.0.0.1:9"), Codec: "PCMU",
		RTPTimeout: 2 * time.Second}, NewSilence(Format{8000, 1}, fk), NewNull(Format{8000, 1}, fk), Options{Clock: fk})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.lastRecv.Store(fk.Now().UnixNano())
	steps := []struct {
		at      time.Duration
		packet  bool
		dir     string
		timeout bool
	}{
		{at: time.Second},
		{at: 2 * time.Second},
		{at: 2*time.Second + time.Millisecond, timeout: true},
		{at: 3 * time.Second}, // reported once
		{at: 3 * time.Second, packet: true},
		{at: 4 * time.Second},
		{at: 5 * time.Second, dir: "inactive"}, // on hold: no timeout
		{at: 9 * time.Second},
		{at: 9 * time.Second, dir: "sendrecv"}, // resumed: counts from now
		{at: 10 * time.Second},
		{at: 11*time.Second + time.Millisecond, timeout: true},
	}
	start := fk.Now()
	for i, st := range steps {
		now := start.Add(st.at)
		if st.dir != "" {
			fk.Advance(now.Sub(fk.Now()))
			if err := s.SetDirection(st.dir); err != nil {
				t.Fatal(err)
			}
		}
		if st.packet {
			s.handlePacket(pkt(0, 1, 0, 1, make([]byte, 160)), *s.remote.Load(), now)
		}
		s.checkTimeout(now)
		got := false
		select {
		case ev := <-s.Events():
			got = ev.Kind == EventTimeout
		default:
		}
		if got != st.timeout {
			t.Errorf("step %d at %s: timeout=%v, want %v", i, st.at, got, st.timeout)
		}
	}
	if err := s.SetDirection("sideways"); err == nil {
		t.Error("bad direction accepted")
	}
}

func TestDirectionStopsSending(t *testing.T) {
	r := newFrameRig(t, "PCMA", Format{8000, 1}, nil)
	for _, tc := range []struct {
		dir  string
		sent int64
	}{{"sendrecv", 1}, {"recvonly", 0}, {"inactive", 0}, {"sendonly", 1}} {
		before := r.s.Stats().PacketsSent
		r.s.SetDirection(tc.dir)
		r.sendStep()
		if got := r.s.Stats().PacketsSent - before; got != tc.sent {
			t.Errorf("%s: sent %d packets, want %d", tc.dir, got, tc.sent)
		}
	}
}

func TestSetRemoteMovesStreamAndRearmsLatching(t *testing.T) {
	r := newFrameRig(t, "PCMA", Format{8000, 1}, nil)
	old := *r.s.remote.Load()
	for i := 0; i < 5; i++ { // confirm the signalled address
		r.s.handlePacket(pkt(8, uint16(i), uint32(i)*160, 7, make([]byte, 160)), old, r.now)
	}
	if !r.s.Stats().Latched {
		t.Fatal("not confirmed after 5 packets")
	}
	moved, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, 0)))
	if err != nil {
		t.Fatal(err)
	}
	defer moved.Close()
	to := moved.LocalAddr().(*net.UDPAddr).AddrPort()
	r.s.SetRemote(to) // re-INVITE
	r.sendStep()
	moved.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 1500)
	n, err := moved.Read(buf)
	if err != nil || n != 12+160 {
		t.Fatalf("new remote got %d bytes, %v", n, err)
	}
	if st := r.s.Stats(); st.Latched || st.Remote != to {
		t.Errorf("after SetRemote: latched %v remote %s", st.Latched, st.Remote)
	}
}
