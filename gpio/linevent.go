package gpio

import "encoding/binary"

// lineEventSize is sizeof(struct gpio_v2_line_event): timestamp_ns u64, id u32, offset u32,
// seqno u32, line_seqno u32, padding [6]u32.
const lineEventSize = 48

// decodeLineEvents calls edge with the spec index of every whole event in buf whose line
// offset is one of ours. The kernel only returns whole events; a short tail is ignored
// rather than trusted. The edge kind (rising/falling) is not needed: debounce reads the
// level again when the line has settled.
func decodeLineEvents(buf []byte, byOffset map[uint32]int, edge func(int)) (n int) {
	for off := 0; off+lineEventSize <= len(buf); off += lineEventSize {
		if i, ok := byOffset[binary.NativeEndian.Uint32(buf[off+12:])]; ok {
			edge(i)
			n++
		}
	}
	return n
}
