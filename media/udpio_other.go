//go:build !linux

package media

import (
	"net"
	"net/netip"
)

// udpIO is the UDPConn's own methods where raw system calls are not used.
type udpIO struct{}

func (u *udpIO) init(*net.UDPConn) {}

func (u *udpIO) writeTo(c *net.UDPConn, b []byte, dst netip.AddrPort) error {
	_, err := c.WriteToUDPAddrPort(b, dst)
	return err
}

func (u *udpIO) readFrom(c *net.UDPConn, b []byte) (int, netip.AddrPort, error) {
	return c.ReadFromUDPAddrPort(b)
}
