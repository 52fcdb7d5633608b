package media

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
)

// PortRange is an inclusive range of UDP ports for RTP (even) and RTCP (the odd one above).
type PortRange struct{ Low, High int }

// ParsePortRange's companion: the range of a Config's RTPPorts.
func (c Config) PortRange() (PortRange, error) {
	lo, hi, err := ParsePortRange(c.RTPPorts)
	return PortRange{lo, hi}, err
}

// Listen is ListenRTP over r.
func (r PortRange) Listen(ip netip.Addr) (*net.UDPConn, error) { return ListenRTP(r.Low, r.High, ip) }

// ListenRTP binds an even port in [low, high] on ip whose odd neighbour is also free (for
// RTCP). The search starts at a random even port so consecutive calls do not reuse a port a
// late packet of the previous call may still reach.
func ListenRTP(low, high int, ip netip.Addr) (*net.UDPConn, error) {
	if low%2 == 1 {
		low++
	}
	if low < 1 || high > 65535 || high-low < 1 {
		return nil, fmt.Errorf("%w: range %d-%d has no even/odd pair", ErrNoPorts, low, high)
	}
	pairs := (high - low + 1) / 2
	start := rand.IntN(pairs)
	var lastErr error
	for i := 0; i < pairs; i++ {
		p := low + 2*((start+i)%pairs)
		c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(p))))
		if err != nil {
			lastErr = err
			continue
		}
		// The odd port must be free too, or RTCP would land elsewhere; check and release it.
		r, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(p+1))))
		if err != nil {
			c.Close()
			lastErr = err
			continue
		}
		r.Close()
		return c, nil
	}
	return nil, fmt.Errorf("%w: %d-%d on %s: %w", ErrNoPorts, low, high, ip, lastErr)
}
