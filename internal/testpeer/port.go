package testpeer

import (
	"fmt"
	"net"
	"testing"
	"time"
)

// FreePort returns a port free for both UDP and TCP on 127.0.0.1 at the time of the call.
func FreePort(t testing.TB) int {
	t.Helper()
	for i := 0; i < 50; i++ {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := pc.LocalAddr().(*net.UDPAddr).Port
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		pc.Close()
		if err != nil {
			continue
		}
		l.Close()
		return port
	}
	t.Fatal("testpeer: no free port")
	return 0
}

// waitSIP sends OPTIONS over UDP to addr until something answers or d passes.
func waitSIP(addr string, d time.Duration) error {
	deadline := time.Now().Add(d)
	c, err := net.Dial("udp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	local := c.LocalAddr().String()
	msg := "OPTIONS sip:" + addr + " SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP " + local + ";branch=z9hG4bK-probe" + fmt.Sprint(time.Now().UnixNano()) + "\r\n" +
		"Max-Forwards: 70\r\nFrom: <sip:probe@" + local + ">;tag=probe\r\nTo: <sip:" + addr + ">\r\n" +
		"Call-ID: probe-" + fmt.Sprint(time.Now().UnixNano()) + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
	buf := make([]byte, 4096)
	for time.Now().Before(deadline) {
		if _, err := c.Write([]byte(msg)); err != nil {
			return err
		}
		_ = c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if n, err := c.Read(buf); err == nil && n > 0 {
			return nil
		}
	}
	return fmt.Errorf("testpeer: no SIP answer from %s within %s", addr, d)
}

// FreePortPair returns a port p with p and p+1 free on UDP and TCP: baresip listens for TLS
// on its SIP port plus one, and a busy machine had that one taken.
func FreePortPair(t testing.TB) int {
	t.Helper()
	for i := 0; i < 50; i++ {
		p := FreePort(t)
		if p >= 65535 {
			continue
		}
		pc, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", p+1))
		if err != nil {
			continue
		}
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p+1))
		pc.Close()
		if err != nil {
			continue
		}
		l.Close()
		return p
	}
	t.Fatal("testpeer: no free pair of ports")
	return 0
}
