package media

import (
	"net"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"
)

func TestSetDSCP(t *testing.T) {
	for _, ip := range []string{"127.0.0.1", "::1"} {
		c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(netip.MustParseAddr(ip), 0)))
		if err != nil {
			t.Logf("%s: %v (no such stack here)", ip, err)
			continue
		}
		if err := setDSCP(c, 46); err != nil {
			t.Fatalf("%s: %v", ip, err)
		}
		rc, _ := c.SyscallConn()
		var tos int
		rc.Control(func(fd uintptr) {
			level, opt := unix.IPPROTO_IP, unix.IP_TOS
			if ip == "::1" {
				level, opt = unix.IPPROTO_IPV6, unix.IPV6_TCLASS
			}
			tos, err = unix.GetsockoptInt(int(fd), level, opt)
		})
		if err != nil || tos != 46<<2 {
			t.Errorf("%s: tos %#x (%v), want %#x", ip, tos, err, 46<<2)
		}
		c.Close()
	}
}
