package media

import "encoding/binary"

// plainRTCP reports whether b is a compound RTCP packet sent without SRTCP protection: RTCP
// packets (version 2, packet types 192-223) whose length fields add up to exactly len(b).
// An SRTCP packet never does: the 4-byte E flag and index and the 10-byte authentication
// tag follow the RTCP packets (RFC 3711 section 3.4). Such a packet is dropped all the same,
// since nothing vouches for it; it is only counted apart from garbage.
func plainRTCP(b []byte) bool {
	off := 0
	for off < len(b) {
		if len(b)-off < 4 || b[off]>>6 != 2 || b[off+1] < 192 || b[off+1] > 223 {
			return false
		}
		off += (int(binary.BigEndian.Uint16(b[off+2:])) + 1) * 4
	}
	return off == len(b) && off > 0
}
