//go:build linux

package main

import (
	"math"
	"net/netip"
	"testing"
	"time"
)

func TestParseSIP(t *testing.T) {
	msg := "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5070\r\nf: <sip:door@127.0.0.1>;tag=1\r\n" +
		"To: \"Door\" <sip:door@127.0.0.1>;tag=2\r\ni: abc@host\r\nCSeq: 2 REGISTER\r\n" +
		"Contact: <sip:door@127.0.0.1:5070>;expires=300\r\nContent-Length: 0\r\n\r\n"
	m, ok := parseSIP([]byte(msg))
	if !ok || m.Status != 200 || m.FromUser != "door" || m.ToUser != "door" || m.CallID != "abc@host" ||
		m.CSeqMethod != "REGISTER" || m.Expires != 300 {
		t.Fatalf("%+v", m)
	}
	inv := "INVITE sip:door@127.0.0.1:5070 SIP/2.0\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\n\r\n" +
		"v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 6000 RTP/AVP 8\r\n"
	m, ok = parseSIP([]byte(inv))
	if !ok || m.Method != "INVITE" || sdpAudioPort(m.Body) != 6000 {
		t.Fatalf("%+v", m)
	}
	if _, ok := parseSIP([]byte{0x80, 8, 0, 0}); ok {
		t.Fatal("RTP taken for SIP")
	}
}

func TestFindCallsAndRTP(t *testing.T) {
	peer := netip.MustParseAddrPort("127.0.0.1:5070")
	sipp := netip.MustParseAddrPort("127.0.0.1:5080")
	rtp := netip.MustParseAddrPort("127.0.0.1:10000")
	t0 := time.Unix(1_800_000_000, 0)
	sp := []sipPacket{
		{datagram{TS: t0, Src: sipp, Dst: peer}, sipMsg{Method: "INVITE", CallID: "a", CSeqMethod: "INVITE"}},
		{datagram{TS: t0.Add(time.Millisecond), Src: sipp, Dst: peer}, sipMsg{Method: "INVITE", CallID: "a", CSeqMethod: "INVITE"}}, // retransmission
		{datagram{TS: t0.Add(2 * time.Millisecond), Src: peer, Dst: sipp}, sipMsg{Status: 100, CallID: "a", CSeqMethod: "INVITE"}},
		{datagram{TS: t0.Add(3 * time.Millisecond), Src: peer, Dst: sipp}, sipMsg{Status: 200, CallID: "a", CSeqMethod: "INVITE", Body: "m=audio 10000 RTP/AVP 8\r\n"}},
		{datagram{TS: t0.Add(4 * time.Millisecond), Src: sipp, Dst: peer}, sipMsg{Method: "INVITE", CallID: "b", CSeqMethod: "INVITE"}},
		{datagram{TS: t0.Add(5 * time.Millisecond), Src: peer, Dst: sipp}, sipMsg{Status: 486, CallID: "b", CSeqMethod: "INVITE"}},
		{datagram{TS: t0.Add(time.Second), Src: sipp, Dst: peer}, sipMsg{Method: "BYE", CallID: "a", CSeqMethod: "BYE"}},
	}
	calls := findCalls(sp, peer, t0, t0.Add(time.Hour))
	if len(calls) != 2 || calls[0].Status != 200 || calls[0].Final.Sub(calls[0].Invite) != 3*time.Millisecond ||
		calls[0].RTPPort != 10000 || calls[1].Status != 486 || calls[0].Bye.IsZero() {
		t.Fatalf("%+v %+v", calls[0], calls[1])
	}
	// 20 ms packets with one sent 5 ms late, and seq 3 missing.
	var ps packets
	at := t0
	for i, seq := range []uint16{0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14} {
		ts := at.Add(time.Duration(i) * 20 * time.Millisecond)
		if i == 12 {
			ts = ts.Add(5 * time.Millisecond)
		}
		ps = append(ps, datagram{TS: ts, Src: rtp, Payload: []byte{0x80, 8, byte(seq >> 8), byte(seq), 0, 0, 0, 0, 0, 0, 0, 1}})
	}
	st := findRTP(ps, rtp, 8, t0, t0.Add(time.Hour))
	if st.Packets != 14 || st.Lost != 1 || len(st.Intervals) != 14-rtpWarmup {
		t.Fatalf("%+v", st)
	}
	dev := deviations(st.Intervals, 20)
	if math.Abs(maxOf(dev)-5) > 1e-9 || quantile(dev, 0.5) > 1e-9 {
		t.Fatalf("deviations %v", dev)
	}
}

func TestQuantile(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3}
	if quantile(xs, 0.5) != 3 || quantile(xs, 0.99) != 5 || quantile(xs, 0) != 1 {
		t.Fatal(quantile(xs, 0.5), quantile(xs, 0.99))
	}
	if !math.IsNaN(quantile(nil, 0.5)) {
		t.Fatal("empty")
	}
}

func TestGCTrace(t *testing.T) {
	out := "noise\n" +
		"gc 1 @2s 0%: 0.51+7.1+0.005 ms clock, 1.0+1.0/3.4/0.11+0.011 ms cpu, 3->4->0 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P\n" +
		"gc 2 @12.0s 0%: 0.34+3.8+0.005 ms clock, 0.68+0/0.18/0.48+0.011 ms cpu, 3->3->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P\n" +
		"gc 3 @22.0s 0%: 0.77+1.1+0.004 ms clock, 1.5+0/0.53/0.99+0.008 ms cpu, 4->4->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P\n"
	cs := parseGCTrace(out)
	if len(cs) != 3 || cs[1].At != 12*time.Second || cs[2].HeapStart != 4 || cs[2].HeapLive != 1 {
		t.Fatalf("%+v", cs)
	}
	n, rate := gcDuring(cs, 10*time.Second, 30*time.Second)
	// Only cycles 2 and 3 are inside: 4-1 MB from 12 s to 22 s.
	if n != 2 || math.Abs(rate-3*1024/10.0) > 1e-9 {
		t.Fatal(n, rate)
	}
}
