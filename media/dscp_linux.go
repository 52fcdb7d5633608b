package media

import (
	"fmt"
	"net"

	"golang.org/x/sys/unix"
)

// setDSCP marks the socket's packets with dscp (the upper six bits of the TOS / traffic
// class byte), on whichever of IPv4 and IPv6 the socket speaks.
func setDSCP(c *net.UDPConn, dscp int) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return fmt.Errorf("media: dscp: %w", err)
	}
	var serr error
	err = rc.Control(func(fd uintptr) {
		tos := dscp << 2
		e4 := unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_TOS, tos)
		e6 := unix.SetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_TCLASS, tos)
		if e4 != nil && e6 != nil {
			serr = e4
		}
	})
	if err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("media: set dscp %d: %w", dscp, err)
	}
	return nil
}
