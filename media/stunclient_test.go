package media

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
)

// stunServer answers Binding requests on loopback with the source address, like a public
// STUN server; drop makes it keep silent.
func stunServer(t *testing.T, drop bool) (netip.AddrPort, func() int) {
	t.Helper()
	pc, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, 0)))
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan int, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		var out [stunMaxResponse]byte
		for n := 1; ; n++ {
			k, from, err := pc.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			got <- n
			m, ok := parseSTUN(buf[:k])
			if !ok || m.typ != stunBindingReq || drop {
				continue
			}
			_, _ = pc.WriteToUDPAddrPort(appendBindingSuccess(out[:0], m.txID, from), from)
		}
	}()
	t.Cleanup(func() { pc.Close(); <-done })
	last := 0
	count := func() int { // requests received so far
		for {
			select {
			case last = <-got:
			default:
				return last
			}
		}
	}
	return pc.LocalAddr().(*net.UDPAddr).AddrPort(), count
}

// TestMapRTP: the server's answer names the RTP socket's address; the socket reads without
// a deadline afterwards (the session that follows must not time out).
func TestMapRTP(t *testing.T) {
	srv, _ := stunServer(t, false)
	conn, err := ListenRTP(40000, 49999, loopback)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	got, err := MapRTP(context.Background(), conn, srv.String(), 5*time.Second, clock.Real{})
	if err != nil {
		t.Fatal(err)
	}
	if want := conn.LocalAddr().(*net.UDPAddr).AddrPort(); got != want {
		t.Errorf("mapped %s, want %s", got, want)
	}
	peer, err := net.DialUDP("udp", nil, conn.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	if _, err := peer.Write([]byte("after")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	if n, _, err := conn.ReadFromUDPAddrPort(buf); err != nil || string(buf[:n]) != "after" {
		t.Errorf("read after MapRTP: %q, %v", buf[:n], err)
	}
}

// TestMapRTPNoAnswer: a server that never answers gets retransmissions at 100, 200, 400 ms
// (on the fake clock) and the call goes on with ErrSTUN at the bound.
func TestMapRTPNoAnswer(t *testing.T) {
	srv, count := stunServer(t, true)
	conn, err := ListenRTP(40000, 49999, loopback)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	clk := clock.NewFake(time.Unix(1e9, 0))
	res := make(chan error, 1)
	go func() {
		_, err := MapRTP(context.Background(), conn, srv.String(), 500*time.Millisecond, clk)
		res <- err
	}()
	for _, step := range []time.Duration{100, 200, 199} {
		waitArmed(t, clk, 2) // the bound and the retransmission
		clk.Advance(step * time.Millisecond)
	}
	waitArmed(t, clk, 2)
	clk.Advance(time.Millisecond) // 500 ms: the bound
	select {
	case err := <-res:
		if !errors.Is(err, ErrSTUN) {
			t.Errorf("err %v, want ErrSTUN", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("MapRTP did not return at its bound")
	}
	// The server counts what arrived; the third request was sent before the bound fired.
	deadline := time.Now().Add(10 * time.Second)
	for count() < 3 && time.Now().Before(deadline) {
		runtime.Gosched()
	}
	if n := count(); n > 3 {
		t.Errorf("%d requests, want 3 (at 0, 100, 300 ms; the next is due after the bound)", n)
	}
}

func waitArmed(t *testing.T, clk *clock.Fake, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for clk.Timers() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d timers armed, want %d", clk.Timers(), n)
		}
		runtime.Gosched()
	}
}

// TestParseBindingSuccess: the mapped address from our own server's answer (XOR), an RFC
// 3489 MAPPED-ADDRESS, and refusals.
func TestParseBindingSuccess(t *testing.T) {
	txID := [12]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	var out [stunMaxResponse]byte
	for _, a := range []string{"203.0.113.1:10000", "[2001:db8::7]:5004"} {
		ap := netip.MustParseAddrPort(a)
		if got, ok := parseBindingSuccess(appendBindingSuccess(out[:0], txID, ap), txID); !ok || got != ap {
			t.Errorf("%s: got %s %v", a, got, ok)
		}
	}
	mapped := []byte{0x00, 0x01, 0x00, 0x08, 0x00, 0x01, 0x27, 0x10, 198, 51, 100, 4}
	resp := stunRequest(stunBindingResp, txID, mapped)
	if got, ok := parseBindingSuccess(resp, txID); !ok || got.String() != "198.51.100.4:10000" {
		t.Errorf("MAPPED-ADDRESS: got %s %v", got, ok)
	}
	other := txID
	other[0]++
	if _, ok := parseBindingSuccess(resp, other); ok {
		t.Error("answer to another transaction taken")
	}
	if _, ok := parseBindingSuccess(stunRequest(stunBindingReq, txID, nil), txID); ok {
		t.Error("a request taken as an answer")
	}
	trunc := append([]byte(nil), resp...)
	binary.BigEndian.PutUint16(trunc[22:24], 40) // attribute longer than the message
	if _, ok := parseBindingSuccess(trunc, txID); ok {
		t.Error("truncated attribute taken")
	}
}

func FuzzParseBindingSuccess(f *testing.F) {
	txID := [12]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	var out [stunMaxResponse]byte
	f.Add(appendBindingSuccess(out[:0], txID, netip.MustParseAddrPort("203.0.113.1:10000")))
	f.Add(appendBindingSuccess(out[:0], txID, netip.MustParseAddrPort("[2001:db8::7]:5004")))
	f.Add(stunRequest(stunBindingResp, txID, []byte{0x00, 0x01, 0x00, 0x08, 0x00, 0x01, 0x27, 0x10, 198, 51, 100, 4}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		a, ok := parseBindingSuccess(b, txID)
		if ok != a.IsValid() {
			t.Fatalf("ok %v with address %v", ok, a)
		}
	})
}

// TestSplitSTUNServer: [media] stun_server forms.
func TestSplitSTUNServer(t *testing.T) {
	for in, want := range map[string]string{
		"stun.example":       "stun.example:3478",
		"stun.example:3479":  "stun.example:3479",
		"192.0.2.1":          "192.0.2.1:3478",
		"[2001:db8::1]:3478": "2001:db8::1:3478",
		":3478":              "",
		"stun.example:0":     "",
		"stun.example:x":     "",
	} {
		h, p, err := SplitSTUNServer(in)
		got := ""
		if err == nil {
			got = h + ":" + strconv.Itoa(int(p))
		}
		if got != want {
			t.Errorf("%q: got %q (%v), want %q", in, got, err, want)
		}
	}
}

func itoa(n int) string {
	return netip.AddrPortFrom(netip.IPv4Unspecified(), uint16(n)).String()[len("0.0.0.0:"):]
}

// TestMediaKeepalive: a session that sends no audio (early media, held) sends a STUN
// Binding indication at once and every 15 s, which opens the NAT for the peer's packets;
// a receiver counts it as STUN, never as invalid or audio.
func TestMediaKeepalive(t *testing.T) {
	r := newFrameRig(t, "PCMA", Format{8000, 1}, nil)
	if err := r.s.SetDirection("recvonly"); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1500)
	for i := 0; i < 1000; i++ { // 20 s of frames
		r.sendStep()
	}
	got := 0
	for {
		_ = r.peer.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		n, _, err := r.peer.ReadFromUDPAddrPort(buf)
		if err != nil {
			break
		}
		m, ok := parseSTUN(buf[:n])
		if !ok || m.typ != stunIndication {
			t.Fatalf("packet % x is not a Binding indication", buf[:n])
		}
		got++
	}
	if got != 2 {
		t.Errorf("%d keepalives in 20 s, want 2 (at once, after 15 s)", got)
	}
	if st := r.s.Stats(); st.KeepalivesSent != 2 || st.PacketsSent != 0 {
		t.Errorf("stats: %d keepalives, %d packets sent", st.KeepalivesSent, st.PacketsSent)
	}
	var id [12]byte
	r.s.handlePacket(appendIndication(make([]byte, 0, stunHeaderLen), id), r.peer.LocalAddr().(*net.UDPAddr).AddrPort(), r.now)
	if st := r.s.Stats(); st.STUN != 1 || st.Invalid != 0 || st.PacketsReceived != 0 {
		t.Errorf("received keepalive: stun %d invalid %d received %d", st.STUN, st.Invalid, st.PacketsReceived)
	}
}

// TestOpenPinhole: one Binding indication to the peer; nothing for an unknown address.
func TestOpenPinhole(t *testing.T) {
	conn, err := ListenRTP(40000, 49999, loopback)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	peer, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, 0)))
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	if err := OpenPinhole(conn, netip.AddrPort{}); err != nil {
		t.Fatal(err)
	}
	if err := OpenPinhole(conn, peer.LocalAddr().(*net.UDPAddr).AddrPort()); err != nil {
		t.Fatal(err)
	}
	_ = peer.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 100)
	n, from, err := peer.ReadFromUDPAddrPort(buf)
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := parseSTUN(buf[:n]); !ok || m.typ != stunIndication || from.Port() != conn.LocalAddr().(*net.UDPAddr).AddrPort().Port() {
		t.Errorf("got % x from %s", buf[:n], from)
	}
	// And the RTCP one, from the RTP port + 1 to the peer's port + 1.
	rtcpPeer, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, peer.LocalAddr().(*net.UDPAddr).AddrPort().Port()+1)))
	if err != nil {
		t.Skipf("peer's port + 1 taken: %v", err)
	}
	defer rtcpPeer.Close()
	if err := OpenPinhole(conn, peer.LocalAddr().(*net.UDPAddr).AddrPort()); err != nil {
		t.Fatal(err)
	}
	_ = rtcpPeer.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, from, err = rtcpPeer.ReadFromUDPAddrPort(buf)
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := parseSTUN(buf[:n]); !ok || m.typ != stunIndication || from.Port() != conn.LocalAddr().(*net.UDPAddr).AddrPort().Port()+1 {
		t.Errorf("RTCP: got % x from %s", buf[:n], from)
	}
}
