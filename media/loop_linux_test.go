package media

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	"go.uber.org/goleak"
)

// A session on the real clock with clock-paced devices reads RTP in its one loop from the
// socket taken out of the netpoller: audio is taken, a STUN Binding request on the RTP port
// is answered from there, an RFC 4733 digit is reported, its own packets reach the peer, and
// Close leaves no goroutine and no descriptor behind.
func TestDrainLoopEndToEnd(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	clk := clock.Real{}
	f := Format{8000, 1}
	conn, peer := rtpPeer(t, 20000, 29999)
	local := addrPort(conn)
	s, err := NewSession(SessionConfig{Conn: conn, Remote: addrPort(peer), Codec: "PCMA", PayloadType: 8,
		DTMFPayloadType: 101}, NewTone(1000, f, clk), NewNull(f, clk), Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	if !s.rtpIO.canDetach() {
		s.Close()
		t.Skip("no SO_TIMESTAMPNS on this socket (qemu-user does not emulate it): the session keeps its receive goroutine")
	}
	if !s.drainsRTP() {
		t.Fatal("a real-clock session with a tone and a null sink does not read RTP in its loop")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()

	defer func() { cancel(); <-done; s.Close() }()

	// The session's own audio arrives (the loop sends); a STUN request may come first.
	buf := make([]byte, 1500)
	awaitRTP(t, peer, buf, 8)

	// Audio, a digit and a STUN request from the peer.
	var p [172]byte
	for i := range 10 {
		h := p[:12]
		h[0], h[1] = 0x80, 8
		h[2], h[3] = 0, byte(i)
		h[4], h[5], h[6], h[7] = 0, 0, byte(i>>3), byte(i<<5)
		h[8], h[9], h[10], h[11] = 1, 2, 3, 4
		if _, err := peer.WriteToUDPAddrPort(p[:], local); err != nil {
			t.Fatal(err)
		}
	}
	ev := []byte{0x80, 101, 0, 10, 0, 0, 9, 0, 1, 2, 3, 4, 5, 0x8a, 0x01, 0x40}
	if _, err := peer.WriteToUDPAddrPort(ev, local); err != nil {
		t.Fatal(err)
	}
	txID := [12]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	if _, err := peer.WriteToUDPAddrPort(stunRequest(stunBindingReq, txID, nil), local); err != nil {
		t.Fatal(err)
	}
	if got := digits(t, s, 1, 3*time.Second); got != "5" {
		t.Errorf("digit %q, want 5", got)
	}
	answered := false
	for !answered { // RTP keeps coming; the answer is among it
		n, _, err := peer.ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatalf("no STUN answer: %v", err)
		}
		if n >= 20 && buf[0] < 4 {
			checkResponse(t, buf[:n], txID)
			answered = true
		}
	}
	if st := s.Stats(); st.PacketsReceived != 11 || st.STUN != 1 || st.Invalid != 0 {
		t.Errorf("stats: received %d, STUN %d, invalid %d; want 11, 1, 0", st.PacketsReceived, st.STUN, st.Invalid)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	done <- nil // for the deferred clean-up
	s.Close()
	// The port is free again: the detached descriptor was closed.
	c2, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(local))
	if err != nil {
		t.Fatalf("the RTP port is still held after Close: %v", err)
	}
	c2.Close()
}

// Datagrams that arrive after the loop's last drain still count when the session ends: a
// short call's echoes can all come in its last period.
func TestDrainLoopTakesLastPeriodAtEnd(t *testing.T) {
	clk := clock.Real{}
	f := Format{8000, 1}
	conn, peer := rtpPeer(t, 20000, 29999)
	local := addrPort(conn)
	s, err := NewSession(SessionConfig{Conn: conn, Remote: addrPort(peer),
		Codec: "PCMA", PayloadType: 8}, NewSilence(f, clk), NewNull(f, clk), Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.rtpIO.canDetach() {
		t.Skip("no SO_TIMESTAMPNS on this socket (qemu-user does not emulate it): the session keeps its receive goroutine")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	// The loop runs (it has sent) and so has detached the socket.
	awaitRTP(t, peer, make([]byte, 1500), 8)
	// Loopback queues each datagram on the socket before sendto returns; the session ends
	// well inside the period it is waiting out, so only a drain at the end can take them.
	const sent = 5
	for i := range sent {
		if _, err := peer.WriteToUDPAddrPort(pkt(8, uint16(i), uint32(i*160), 7, make([]byte, 160)), local); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := s.Stats().PacketsReceived; got != sent {
		t.Errorf("received %d of the %d packets queued before the end", got, sent)
	}
}
