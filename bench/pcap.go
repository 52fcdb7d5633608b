//go:build linux

package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"time"
)

// A tiny reader for the classic pcap files tcpdump writes: no module for it is vendored and
// we need only UDP over IPv4/IPv6 on the loopback.

var errPcap = errors.New("bench: bad pcap")

const (
	linkEthernet = 1
	linkRaw      = 101
	linkSLL      = 113
	linkSLL2     = 276
)

// datagram is one UDP datagram with the time the kernel saw it.
type datagram struct {
	TS       time.Time
	Src, Dst netip.AddrPort
	Payload  []byte
}

// pcapTail reads a capture file that tcpdump is still writing (-U): each Poll returns the
// records completed since the last one.
type pcapTail struct {
	f    *os.File
	hdr  bool
	bo   binary.ByteOrder
	nano bool
	link uint32
	rest []byte
}

func openPcapTail(path string) (*pcapTail, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return &pcapTail{f: f}, nil
}

func (t *pcapTail) Close() error { return t.f.Close() }

// Poll reads what was appended and returns the complete UDP datagrams in it.
func (t *pcapTail) Poll() ([]datagram, error) {
	buf := make([]byte, 256<<10)
	for {
		n, err := t.f.Read(buf)
		t.rest = append(t.rest, buf[:n]...)
		if err == io.EOF || n == 0 {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if !t.hdr {
		if len(t.rest) < 24 {
			return nil, nil
		}
		if err := t.header(t.rest[:24]); err != nil {
			return nil, err
		}
		t.rest = t.rest[24:]
		t.hdr = true
	}
	var out []datagram
	p := t.rest
	for len(p) >= 16 {
		incl := int(t.bo.Uint32(p[8:]))
		if incl > 1<<18 {
			return out, fmt.Errorf("%w: record of %d bytes", errPcap, incl)
		}
		if len(p) < 16+incl {
			break
		}
		sec, frac := t.bo.Uint32(p[0:]), t.bo.Uint32(p[4:])
		ns := int64(frac)
		if !t.nano {
			ns *= 1000
		}
		if d, ok := decodeUDP(t.link, p[16:16+incl]); ok {
			d.TS = time.Unix(int64(sec), ns)
			d.Payload = append([]byte(nil), d.Payload...)
			out = append(out, d)
		}
		p = p[16+incl:]
	}
	t.rest = append(t.rest[:0], p...)
	return out, nil
}

func (t *pcapTail) header(h []byte) error {
	switch binary.LittleEndian.Uint32(h) {
	case 0xa1b2c3d4:
		t.bo = binary.LittleEndian
	case 0xa1b23c4d:
		t.bo, t.nano = binary.LittleEndian, true
	case 0xd4c3b2a1:
		t.bo = binary.BigEndian
	case 0x4d3cb2a1:
		t.bo, t.nano = binary.BigEndian, true
	default:
		return fmt.Errorf("%w: magic %#x", errPcap, binary.LittleEndian.Uint32(h))
	}
	t.link = t.bo.Uint32(h[20:])
	return nil
}

// decodeUDP strips the link and IP headers of one frame.
func decodeUDP(link uint32, f []byte) (datagram, bool) {
	var ethertype uint16
	switch link {
	case linkEthernet:
		if len(f) < 14 {
			return datagram{}, false
		}
		ethertype, f = binary.BigEndian.Uint16(f[12:]), f[14:]
	case linkSLL:
		if len(f) < 16 {
			return datagram{}, false
		}
		ethertype, f = binary.BigEndian.Uint16(f[14:]), f[16:]
	case linkSLL2:
		if len(f) < 20 {
			return datagram{}, false
		}
		ethertype, f = binary.BigEndian.Uint16(f[0:]), f[20:]
	case linkRaw:
		if len(f) == 0 {
			return datagram{}, false
		}
		ethertype = 0x0800
		if f[0]>>4 == 6 {
			ethertype = 0x86dd
		}
	default:
		return datagram{}, false
	}
	var src, dst netip.Addr
	var udp []byte
	switch ethertype {
	case 0x0800:
		if len(f) < 20 || f[0]>>4 != 4 || f[9] != 17 {
			return datagram{}, false
		}
		if binary.BigEndian.Uint16(f[6:])&0x3fff != 0 { // a fragment: SIP here never is one
			return datagram{}, false
		}
		ihl := int(f[0]&0x0f) * 4
		if len(f) < ihl+8 {
			return datagram{}, false
		}
		src = netip.AddrFrom4([4]byte(f[12:16]))
		dst = netip.AddrFrom4([4]byte(f[16:20]))
		udp = f[ihl:]
	case 0x86dd:
		if len(f) < 48 || f[6] != 17 {
			return datagram{}, false
		}
		src = netip.AddrFrom16([16]byte(f[8:24]))
		dst = netip.AddrFrom16([16]byte(f[24:40]))
		udp = f[40:]
	default:
		return datagram{}, false
	}
	ulen := int(binary.BigEndian.Uint16(udp[4:]))
	if ulen < 8 || ulen > len(udp) {
		ulen = len(udp) // snap length or offloaded checksum: take what was captured
	}
	return datagram{
		Src:     netip.AddrPortFrom(src, binary.BigEndian.Uint16(udp[0:])),
		Dst:     netip.AddrPortFrom(dst, binary.BigEndian.Uint16(udp[2:])),
		Payload: udp[8:ulen],
	}, true
}
