package media

import (
	"encoding/binary"
	"hash/crc32"
	"net/netip"
)

// STUN on the media ports (RFC 8489). ICE-lite and consent-checking peers (browsers,
// Linphone) send Binding requests to the RTP and RTCP ports and expect answers; others send
// Binding indications as NAT keepalives. A packet whose first byte is 0-3 is STUN (RFC 7983
// section 7), never RTP or RTCP.
const (
	stunHeaderLen     = 20
	stunMagicCookie   = 0x2112A442
	stunBindingReq    = 0x0001
	stunBindingResp   = 0x0101
	stunXORMapped     = 0x0020
	stunFingerprint   = 0x8028
	stunFingerprintXO = 0x5354554e
	// stunMaxResponse is a Binding success response with an IPv6 XOR-MAPPED-ADDRESS and a
	// FINGERPRINT: header 20 + 4+20 + 4+4.
	stunMaxResponse = stunHeaderLen + 24 + 8
)

// stunMessage is the header of one STUN message, as far as the media path needs it.
type stunMessage struct {
	typ  uint16
	txID [12]byte
}

// parseSTUN recognises a STUN message (RFC 8489 section 5: top two bits zero, the magic
// cookie, a length that is a multiple of four and matches the datagram).
func parseSTUN(b []byte) (stunMessage, bool) {
	if len(b) < stunHeaderLen || b[0]>>6 != 0 {
		return stunMessage{}, false
	}
	n := int(binary.BigEndian.Uint16(b[2:4]))
	if n%4 != 0 || n != len(b)-stunHeaderLen || binary.BigEndian.Uint32(b[4:8]) != stunMagicCookie {
		return stunMessage{}, false
	}
	m := stunMessage{typ: binary.BigEndian.Uint16(b[0:2])}
	copy(m.txID[:], b[8:20])
	return m, true
}

// appendBindingSuccess writes a Binding success response to txID that tells the peer the
// address its request came from (XOR-MAPPED-ADDRESS), with a FINGERPRINT (which ICE
// requires), into dst[:0]. dst needs stunMaxResponse bytes of capacity; it does not allocate.
func appendBindingSuccess(dst []byte, txID [12]byte, from netip.AddrPort) []byte {
	addr := from.Addr().Unmap()
	alen := 4
	family := byte(1)
	if addr.Is6() {
		alen, family = 16, 2
	}
	b := dst[:stunHeaderLen]
	binary.BigEndian.PutUint16(b[0:2], stunBindingResp)
	binary.BigEndian.PutUint32(b[4:8], stunMagicCookie)
	copy(b[8:20], txID[:])

	// XOR-MAPPED-ADDRESS (RFC 8489 section 14.2): port and address XORed with the cookie
	// (and, for IPv6, the transaction ID).
	b = binary.BigEndian.AppendUint16(b, stunXORMapped)
	b = binary.BigEndian.AppendUint16(b, uint16(4+alen))
	b = append(b, 0, family)
	b = binary.BigEndian.AppendUint16(b, from.Port()^uint16(stunMagicCookie>>16))
	var key [16]byte
	binary.BigEndian.PutUint32(key[0:4], stunMagicCookie)
	copy(key[4:], txID[:])
	raw := addr.As16()
	ip := raw[16-alen:]
	for i := range ip {
		b = append(b, ip[i]^key[i])
	}

	// FINGERPRINT (section 14.7): CRC-32 of everything before it, with the length already
	// counting it, XORed with 0x5354554e.
	binary.BigEndian.PutUint16(b[2:4], uint16(len(b)-stunHeaderLen+8))
	crc := crc32.ChecksumIEEE(b) ^ stunFingerprintXO
	b = binary.BigEndian.AppendUint16(b, stunFingerprint)
	b = binary.BigEndian.AppendUint16(b, 4)
	b = binary.BigEndian.AppendUint32(b, crc)
	return b
}

// takeSTUN counts b if it is a STUN message and answers a Binding request from the peer on
// conn (the port it came to), using out as the response buffer. It reports whether b was
// STUN; anything else is left to the RTP or RTCP path.
func (s *Session) takeSTUN(conn stunWriter, out []byte, b []byte, from netip.AddrPort) bool {
	m, ok := parseSTUN(b)
	if !ok {
		return false
	}
	s.stun.Add(1)
	if m.typ != stunBindingReq || !s.stunPeer(from) {
		return true // indications (keepalives) and responses need no answer
	}
	if _, err := conn.WriteToUDPAddrPort(appendBindingSuccess(out[:0], m.txID, from), from); err != nil {
		s.log.Debug("media: stun answer", "to", from, "err", err)
	}
	return true
}

// stunPeer says whether a Binding request from from gets an answer: from the peer's address
// (its RTP or RTCP port), or from anywhere while the session may still latch to a NATed
// source. One answer of at most 52 bytes per request, to the request's source, so a forged
// source cannot be flooded through us once the call has latched.
func (s *Session) stunPeer(from netip.AddrPort) bool {
	if from.Addr() == s.remote.Load().Addr() {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.rx.latched && s.latchN >= 0
}

// stunWriter is the socket a STUN answer leaves by (*net.UDPConn).
type stunWriter interface {
	WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error)
}
