package media

import (
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"
)

// udpIO's raw sendto/recvfrom carry the same datagrams and addresses as the UDPConn's own
// methods, on IPv4, dual-stack and IPv6 sockets, and Close ends a parked read.
func TestUDPIO(t *testing.T) {
	tests := []struct {
		name       string
		local      string // our socket
		peer       string // the peer's socket
		peerAsSeen string // the peer's address as readFrom reports it, unmapped
	}{
		{"ipv4", "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1"},
		{"dual-stack to ipv4", "[::]:0", "127.0.0.1:0", "127.0.0.1"},
		{"ipv6", "[::1]:0", "[::1]:0", "::1"},
	}
	// open binds a socket closed when t ends; a stack the machine lacks skips.
	open := func(t *testing.T, addr string) *net.UDPConn {
		t.Helper()
		c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort(addr)))
		if err != nil {
			t.Skipf("no socket for %s here: %v", addr, err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, peer := open(t, tc.local), open(t, tc.peer)
			var u udpIO
			u.init(c)
			if u.err {
				t.Fatal("no RawConn on a UDP socket")
			}
			peerAddr := peer.LocalAddr().(*net.UDPAddr).AddrPort()
			if err := u.writeTo(c, []byte("ping"), peerAddr); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 64)
			n, from, err := peer.ReadFromUDPAddrPort(buf)
			if err != nil || string(buf[:n]) != "ping" {
				t.Fatalf("peer read %q, %v", buf[:n], err)
			}
			if from.Port() != c.LocalAddr().(*net.UDPAddr).AddrPort().Port() {
				t.Fatalf("peer saw the datagram from %s", from)
			}
			if _, err := peer.WriteToUDPAddrPort([]byte("pong!"), from); err != nil {
				t.Fatal(err)
			}
			n, got, err := u.readFrom(c, buf)
			if err != nil || string(buf[:n]) != "pong!" {
				t.Fatalf("read %q, %v", buf[:n], err)
			}
			if want := netip.AddrPortFrom(netip.MustParseAddr(tc.peerAsSeen), peerAddr.Port()); unmap(got) != want {
				t.Fatalf("from %s, want %s", got, want)
			}
			done := make(chan error, 1)
			go func() { _, _, err := u.readFrom(c, buf); done <- err }()
			c.Close()
			if err := <-done; !errors.Is(err, net.ErrClosed) {
				t.Fatalf("read after Close: %v, want net.ErrClosed", err)
			}
		})
		// Detached: the socket leaves the netpoller but keeps its port; recvNow takes what
		// is waiting without waiting, with the kernel's arrival stamp.
		t.Run(tc.name+" detached", func(t *testing.T) {
			c, peer := open(t, tc.local), open(t, tc.peer)
			var u udpIO
			u.init(c)
			if !u.canDetach() {
				t.Skip("no SO_TIMESTAMPNS on this socket (qemu-user does not emulate it): the session keeps its receive goroutine")
			}
			local := c.LocalAddr().(*net.UDPAddr).AddrPort()
			if err := u.detach(c); err != nil {
				t.Fatal(err)
			}
			defer u.close()
			buf := make([]byte, 64)
			if _, _, _, ok, err := u.recvNow(buf); ok || err != nil {
				t.Fatalf("recvNow on an empty socket: ok %v, %v", ok, err)
			}
			dst := local
			if tc.local == "[::]:0" {
				dst = netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), local.Port())
			}
			before := time.Now().UnixNano()
			if _, err := peer.WriteToUDPAddrPort([]byte("pong!"), dst); err != nil {
				t.Fatal(err)
			}
			peerAddr := peer.LocalAddr().(*net.UDPAddr).AddrPort()
			var n int
			var from netip.AddrPort
			var at int64
			var ok bool
			var err error
			for !ok { // loopback delivery is synchronous, but a retry costs nothing
				if n, from, at, ok, err = u.recvNow(buf); err != nil {
					t.Fatal(err)
				}
			}
			if string(buf[:n]) != "pong!" || unmap(from) != netip.AddrPortFrom(netip.MustParseAddr(tc.peerAsSeen), peerAddr.Port()) {
				t.Fatalf("recvNow %q from %s", buf[:n], from)
			}
			if at < before || at > time.Now().UnixNano() {
				t.Fatalf("arrival stamp %d outside [%d, now]", at, before)
			}
			if _, err := u.WriteToUDPAddrPort([]byte("ping"), peerAddr); err != nil {
				t.Fatal(err)
			}
			if n, _, err := peer.ReadFromUDPAddrPort(buf); err != nil || string(buf[:n]) != "ping" {
				t.Fatalf("peer read %q, %v", buf[:n], err)
			}
			if !raceEnabled {
				pkt := []byte("x")
				if a := testing.AllocsPerRun(20, func() {
					u.WriteToUDPAddrPort(pkt, peerAddr)
					u.recvNow(buf)
				}); a != 0 {
					t.Fatalf("send and recvNow allocate %.1f times", a)
				}
			}
		})
	}
}

// TestRecvNowBatches: recvNow takes several waiting datagrams per system call and says when
// the socket was emptied, so a period's drain stops without a call that only sees EAGAIN.
func TestRecvNowBatches(t *testing.T) {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	peer, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	var u udpIO
	u.init(c)
	if !u.canDetach() {
		t.Skip("no SO_TIMESTAMPNS on this socket (qemu-user does not emulate it)")
	}
	dst := c.LocalAddr().(*net.UDPAddr).AddrPort()
	if err := u.detach(c); err != nil {
		t.Fatal(err)
	}
	defer u.close()
	const sent = rxBatch + 2
	for i := range sent {
		if _, err := peer.WriteToUDPAddrPort([]byte{byte(i)}, dst); err != nil {
			t.Fatal(err)
		}
	}
	// Loopback delivery is synchronous: all are queued before the first read.
	buf := make([]byte, 64)
	for i := range sent {
		n, _, at, ok, err := u.recvNow(buf)
		if err != nil || !ok || n != 1 || buf[0] != byte(i) || at == 0 {
			t.Fatalf("datagram %d: %d bytes %v, ok %v, stamp %d, %v", i, n, buf[:n], ok, at, err)
		}
		// A full batch does not tell whether more wait; the short second one does.
		if want := i == sent-1; u.drained() != want {
			t.Fatalf("after datagram %d of %d: drained %v, want %v", i, sent, u.drained(), want)
		}
	}
	if _, _, _, ok, err := u.recvNow(buf); ok || err != nil {
		t.Fatalf("recvNow on the emptied socket: ok %v, %v", ok, err)
	}
}
