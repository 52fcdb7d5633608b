package gpio

import (
	"encoding/binary"
	"testing"
)

func edgeEvent(ts uint64, offset, seq uint32) []byte {
	b := make([]byte, lineEventSize)
	binary.NativeEndian.PutUint64(b[0:], ts)
	binary.NativeEndian.PutUint32(b[8:], 2) // falling
	binary.NativeEndian.PutUint32(b[12:], offset)
	binary.NativeEndian.PutUint32(b[16:], seq)
	return b
}

// TestDecodeEdgeEvents: sequence-number gaps, within a read and across reads, are
// reported as lost edges on the next event.
func TestDecodeEdgeEvents(t *testing.T) {
	byOffset := map[uint32]int{5: 0, 6: 1}
	var got []EdgeEvent
	fn := func(e EdgeEvent) { got = append(got, e) }
	var buf []byte
	buf = append(buf, edgeEvent(1000, 5, 1)...)
	buf = append(buf, edgeEvent(2000, 6, 2)...)
	buf = append(buf, edgeEvent(5000, 6, 5)...) // 3 and 4 lost
	buf = append(buf, 1, 2, 3)                  // a short tail is ignored
	last := decodeEdgeEvents(buf, byOffset, 0, fn)
	last = decodeEdgeEvents(edgeEvent(9000, 5, 9), byOffset, last, fn) // 6 to 8 lost
	want := []EdgeEvent{{0, 1000, 0}, {1, 2000, 0}, {1, 5000, 2}, {0, 9000, 3}}
	if last != 9 || len(got) != len(want) {
		t.Fatalf("last %d, events %+v", last, got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// FuzzDecodeEdgeEvents: whatever the read returns, only whole events of our lines come out,
// lost counts never exceed the sequence numbers' span, and nothing panics.
func FuzzDecodeEdgeEvents(f *testing.F) {
	f.Add(append(edgeEvent(1000, 5, 1), edgeEvent(2000, 6, 4)...), uint32(0))
	f.Add(edgeEvent(1, 7, 0), uint32(10))
	f.Add([]byte{1, 2, 3}, uint32(0))
	f.Fuzz(func(t *testing.T, buf []byte, last uint32) {
		byOffset := map[uint32]int{5: 0, 6: 1}
		n := 0
		end := decodeEdgeEvents(buf, byOffset, last, func(e EdgeEvent) {
			if e.Line != 0 && e.Line != 1 {
				t.Fatalf("line %d", e.Line)
			}
			n++
		})
		if n > len(buf)/lineEventSize {
			t.Fatalf("%d events from %d bytes", n, len(buf))
		}
		if len(buf) < lineEventSize && end != last {
			t.Fatalf("no whole event, but the sequence moved from %d to %d", last, end)
		}
	})
}
