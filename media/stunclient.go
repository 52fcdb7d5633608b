package media

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/doorsip/intercom/internal/clock"
)

// STUN client for the RTP socket (RFC 8489 section 6.2.1): a door behind a NAT asks a STUN
// server which public address and port its RTP socket maps to, and offers that in SDP.
const (
	stunMappedAddr = 0x0001
	stunDefault    = 3478
	// stunRTO is the first retransmission interval; it doubles (RFC 8489 section 6.2.1).
	stunRTO = 100 * time.Millisecond
)

// MapRTP asks server ("host[:port]", port 3478 by default) for the public address of conn
// and returns it, or an error wrapping ErrSTUN when no answer came within timeout (on clk).
// It reads conn itself, so call it before a Session runs on conn; anything else arriving
// meanwhile is dropped (no peer knows the port yet).
func MapRTP(ctx context.Context, conn *net.UDPConn, server string, timeout time.Duration, clk clock.Clock) (netip.AddrPort, error) {
	// The name lookup is the resolver's, in wall time; the exchange runs on clk.
	rctx, cancel := context.WithTimeout(ctx, timeout)
	dst, err := resolveSTUN(rctx, server)
	cancel()
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("%w: %s: %w", ErrSTUN, server, err)
	}
	var req [stunHeaderLen]byte
	binary.BigEndian.PutUint16(req[0:2], stunBindingReq)
	binary.BigEndian.PutUint32(req[4:8], stunMagicCookie)
	var txID [12]byte
	if _, err := rand.Read(txID[:]); err != nil {
		return netip.AddrPort{}, fmt.Errorf("%w: %w", ErrSTUN, err)
	}
	copy(req[8:], txID[:])

	got := make(chan netip.AddrPort, 1)
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		buf := make([]byte, 1500)
		for {
			n, _, err := conn.ReadFromUDPAddrPort(buf)
			if err != nil {
				return // the deadline set below, or a closed socket
			}
			if a, ok := parseBindingSuccess(buf[:n], txID); ok {
				got <- a
				return
			}
		}
	}()
	defer func() {
		// Unblock the reader; the session that follows reads conn without a deadline.
		_ = conn.SetReadDeadline(time.Unix(1, 0))
		<-readDone
		_ = conn.SetReadDeadline(time.Time{})
	}()

	limit := clk.NewTimer(timeout)
	defer limit.Stop()
	rto := stunRTO
	for {
		if _, err := conn.WriteToUDPAddrPort(req[:], dst); err != nil {
			return netip.AddrPort{}, fmt.Errorf("%w: send to %s: %w", ErrSTUN, dst, err)
		}
		retry := clk.NewTimer(rto)
		select {
		case a := <-got:
			retry.Stop()
			return a, nil
		case <-retry.C():
			rto *= 2
		case <-limit.C():
			retry.Stop()
			return netip.AddrPort{}, fmt.Errorf("%w: no answer from %s within %s", ErrSTUN, dst, timeout)
		case <-ctx.Done():
			retry.Stop()
			return netip.AddrPort{}, fmt.Errorf("%w: %s: %w", ErrSTUN, dst, ctx.Err())
		}
	}
}

// resolveSTUN turns "host[:port]" into an IPv4 address (the RTP sockets are IPv4).
func resolveSTUN(ctx context.Context, server string) (netip.AddrPort, error) {
	host, port, err := SplitSTUNServer(server)
	if err != nil {
		return netip.AddrPort{}, err
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return netip.AddrPortFrom(a.Unmap(), port), nil
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip4", host)
	if err != nil {
		return netip.AddrPort{}, err
	}
	if len(addrs) == 0 {
		return netip.AddrPort{}, errors.New("no IPv4 address")
	}
	return netip.AddrPortFrom(addrs[0].Unmap(), port), nil
}

// SplitSTUNServer reads [media] stun_server: "host" or "host:port" (3478 when absent).
func SplitSTUNServer(s string) (string, uint16, error) {
	host, portStr, err := net.SplitHostPort(s)
	if err != nil {
		// No port: the whole string is the host (an IPv6 literal needs brackets and a port).
		host, portStr = s, strconv.Itoa(stunDefault)
	}
	if host == "" {
		return "", 0, fmt.Errorf("%q has no host (expected host or host:port)", s)
	}
	p, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil || p == 0 {
		return "", 0, fmt.Errorf("%q: port %q is not 1-65535", s, portStr)
	}
	return host, uint16(p), nil
}

// parseBindingSuccess reads the mapped address from a Binding success response to txID:
// XOR-MAPPED-ADDRESS, or MAPPED-ADDRESS from an RFC 3489 server.
func parseBindingSuccess(b []byte, txID [12]byte) (netip.AddrPort, bool) {
	m, ok := parseSTUN(b)
	if !ok || m.typ != stunBindingResp || m.txID != txID {
		return netip.AddrPort{}, false
	}
	var mapped netip.AddrPort
	for rest := b[stunHeaderLen:]; len(rest) >= 4; {
		typ := binary.BigEndian.Uint16(rest[0:2])
		n := int(binary.BigEndian.Uint16(rest[2:4]))
		if 4+n > len(rest) {
			return netip.AddrPort{}, false
		}
		v := rest[4 : 4+n]
		switch typ {
		case stunXORMapped:
			if a, ok := stunAddress(v, true, txID); ok {
				return a, true
			}
		case stunMappedAddr:
			if a, ok := stunAddress(v, false, txID); ok {
				mapped = a
			}
		}
		pad := (n + 3) &^ 3
		if 4+pad > len(rest) {
			break
		}
		rest = rest[4+pad:]
	}
	return mapped, mapped.IsValid()
}

// stunAddress decodes a (XOR-)MAPPED-ADDRESS value (RFC 8489 sections 14.1 and 14.2).
func stunAddress(v []byte, xor bool, txID [12]byte) (netip.AddrPort, bool) {
	if len(v) < 4 {
		return netip.AddrPort{}, false
	}
	var alen int
	switch v[1] {
	case 1:
		alen = 4
	case 2:
		alen = 16
	default:
		return netip.AddrPort{}, false
	}
	if len(v) != 4+alen {
		return netip.AddrPort{}, false
	}
	port := binary.BigEndian.Uint16(v[2:4])
	var key [16]byte
	binary.BigEndian.PutUint32(key[0:4], stunMagicCookie)
	copy(key[4:], txID[:])
	var raw [16]byte
	copy(raw[:alen], v[4:])
	if xor {
		port ^= uint16(stunMagicCookie >> 16)
		for i := 0; i < alen; i++ {
			raw[i] ^= key[i]
		}
	}
	var a netip.Addr
	if alen == 4 {
		a = netip.AddrFrom4([4]byte(raw[:4]))
	} else {
		a = netip.AddrFrom16(raw)
	}
	return netip.AddrPortFrom(a, port), true
}

// OpenPinhole sends one STUN Binding indication (a media keepalive every receiver drops)
// from conn to peer, and one from conn's port + 1 to peer's port + 1 (RTCP), before any session runs on conn: a NAT in front of us then maps conn's
// port for peer's packets. Without it a peer that starts sending as soon as it has our
// answer can reach the router first, and the router's record of that unanswered packet
// makes it map our own packets to another port, so the peer's never arrive.
func OpenPinhole(conn *net.UDPConn, peer netip.AddrPort) error {
	if !peer.IsValid() || peer.Addr().IsUnspecified() || peer.Port() == 0 {
		return nil
	}
	var txID [12]byte
	if _, err := rand.Read(txID[:]); err != nil {
		return fmt.Errorf("media: pinhole: %w", err)
	}
	var buf [stunHeaderLen]byte
	if _, err := conn.WriteToUDPAddrPort(appendIndication(buf[:0], txID), peer); err != nil {
		return fmt.Errorf("media: pinhole to %s: %w", peer, err)
	}
	// The same for RTCP (port + 1 both sides), from the port the session will bind: the
	// router keeps the mapping (30 s for an unanswered flow), and the session's first report
	// and the peer's reports use it. ListenRTP left that port free.
	la, ok := conn.LocalAddr().(*net.UDPAddr)
	if !ok || peer.Port() == 65535 {
		return nil
	}
	ap := la.AddrPort()
	rc, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ap.Addr(), ap.Port()+1)))
	if err != nil {
		return nil // RTCP will open it with its first packet
	}
	defer rc.Close()
	txID[0]++
	if _, err := rc.WriteToUDPAddrPort(appendIndication(buf[:0], txID), netip.AddrPortFrom(peer.Addr(), peer.Port()+1)); err != nil {
		return fmt.Errorf("media: rtcp pinhole to %s: %w", peer, err)
	}
	return nil
}

// keepalive opens the NAT for the peer's RTCP at session start, as sendKeepalive does for
// RTP: the RTCP socket's first report is seconds away.
func (r *rtcpState) keepalive() {
	r.mu.Lock()
	to := r.remote
	r.mu.Unlock()
	if !to.IsValid() || to.Addr().IsUnspecified() {
		return
	}
	var id [12]byte
	if _, err := rand.Read(id[:]); err != nil {
		return
	}
	var buf [stunHeaderLen]byte
	if _, err := r.conn.WriteToUDPAddrPort(appendIndication(buf[:0], id), to); err != nil {
		r.s.log.Debug("media: rtcp keepalive", "to", to, "err", err)
	}
}
