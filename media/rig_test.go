package media

import (
	"net"
	"net/netip"
	"testing"
	"time"
)

// rtpPeer opens an RTP socket of ours in [lo, hi] on loopback, for a session to own and
// close, and a peer socket on loopback, closed when t ends.
func rtpPeer(t *testing.T, lo, hi int) (conn, peer *net.UDPConn) {
	t.Helper()
	conn, err := ListenRTP(lo, hi, loopback)
	if err != nil {
		t.Fatal(err)
	}
	peer, err = net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, 0)))
	if err != nil {
		conn.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Close() })
	return conn, peer
}

// addrPort is c's local address.
func addrPort(c *net.UDPConn) netip.AddrPort { return c.LocalAddr().(*net.UDPAddr).AddrPort() }

// awaitRTP reads from peer into buf until an RTP packet of payload type pt arrives; what
// comes before it (a STUN request) is logged. The session has 5 s to send.
func awaitRTP(t *testing.T, peer *net.UDPConn, buf []byte, pt byte) {
	t.Helper()
	peer.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		n, _, err := peer.ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatalf("no audio from the session: %v", err)
		}
		if n > 12 && buf[0]>>6 == 2 && buf[1]&0x7f == pt {
			return
		}
		t.Logf("before the audio: % x", buf[:n])
	}
}
