package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// udpPacket is one UDP/IPv4 datagram out of a capture.
type udpPacket struct {
	Src, Dst netip.AddrPort
	Payload  []byte
}

var errPcap = errors.New("rtpsnr: bad pcap")

// Link types tcpdump writes for the loopback and for "any".
const (
	linkEthernet = 1
	linkRaw      = 101
	linkSLL      = 113
	linkSLL2     = 276
)

// parsePcap returns the IPv4 UDP datagrams of a classic pcap file (either byte order,
// microsecond or nanosecond). Other packets are skipped; truncated records end the file.
func parsePcap(b []byte) ([]udpPacket, error) {
	if len(b) < 24 {
		return nil, fmt.Errorf("%w: %d bytes, no header", errPcap, len(b))
	}
	var bo binary.ByteOrder
	switch binary.LittleEndian.Uint32(b) {
	case 0xa1b2c3d4, 0xa1b23c4d:
		bo = binary.LittleEndian
	case 0xd4c3b2a1, 0x4d3cb2a1:
		bo = binary.BigEndian
	default:
		return nil, fmt.Errorf("%w: magic %#x", errPcap, binary.LittleEndian.Uint32(b))
	}
	link := bo.Uint32(b[20:])
	var out []udpPacket
	for p := b[24:]; len(p) >= 16; {
		incl := int(bo.Uint32(p[8:]))
		if incl < 0 || incl > len(p)-16 {
			break
		}
		frame := p[16 : 16+incl]
		p = p[16+incl:]
		ip, ok := stripLink(link, frame)
		if !ok {
			continue
		}
		if u, ok := parseIPv4UDP(ip); ok {
			out = append(out, u)
		}
	}
	return out, nil
}

func stripLink(link uint32, f []byte) ([]byte, bool) {
	switch link {
	case linkEthernet:
		if len(f) < 14 || binary.BigEndian.Uint16(f[12:]) != 0x0800 {
			return nil, false
		}
		return f[14:], true
	case linkRaw:
		return f, true
	case linkSLL:
		if len(f) < 16 || binary.BigEndian.Uint16(f[14:]) != 0x0800 {
			return nil, false
		}
		return f[16:], true
	case linkSLL2:
		if len(f) < 20 || binary.BigEndian.Uint16(f[0:]) != 0x0800 {
			return nil, false
		}
		return f[20:], true
	}
	return nil, false
}

func parseIPv4UDP(ip []byte) (udpPacket, bool) {
	if len(ip) < 20 || ip[0]>>4 != 4 || ip[9] != 17 {
		return udpPacket{}, false
	}
	ihl := int(ip[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(ip[2:]))
	if ihl < 20 || total < ihl+8 || total > len(ip) {
		return udpPacket{}, false
	}
	u := ip[ihl:total]
	ulen := int(binary.BigEndian.Uint16(u[4:]))
	if ulen < 8 || ulen > len(u) {
		return udpPacket{}, false
	}
	src := netip.AddrFrom4([4]byte(ip[12:16]))
	dst := netip.AddrFrom4([4]byte(ip[16:20]))
	return udpPacket{
		Src:     netip.AddrPortFrom(src, binary.BigEndian.Uint16(u[0:])),
		Dst:     netip.AddrPortFrom(dst, binary.BigEndian.Uint16(u[2:])),
		Payload: u[8:ulen],
	}, true
}
