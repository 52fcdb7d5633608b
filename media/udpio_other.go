//go:build !linux

package media

import (
	"errors"
	"net"
	"net/netip"
)

// udpIO is the UDPConn's own methods where raw system calls are not used.
type udpIO struct{ detached bool }

func (u *udpIO) init(*net.UDPConn) {}

func (u *udpIO) writeTo(c *net.UDPConn, b []byte, dst netip.AddrPort) error {
	_, err := c.WriteToUDPAddrPort(b, dst)
	return err
}

func (u *udpIO) readFrom(c *net.UDPConn, b []byte) (int, netip.AddrPort, error) {
	return c.ReadFromUDPAddrPort(b)
}

func (u *udpIO) canDetach() bool           { return false }
func (u *udpIO) detach(*net.UDPConn) error { return errors.ErrUnsupported }
func (u *udpIO) close()                    {}
func (u *udpIO) WriteToUDPAddrPort(b []byte, dst netip.AddrPort) (int, error) {
	return 0, errors.ErrUnsupported
}
func (u *udpIO) drained() bool { return true }
func (u *udpIO) recvNow([]byte) (int, netip.AddrPort, int64, bool, error) {
	return 0, netip.AddrPort{}, 0, false, errors.ErrUnsupported
}
