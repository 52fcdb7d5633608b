package gpio

import (
	"encoding/binary"
	"slices"
	"testing"
)

// lineEvent builds one struct gpio_v2_line_event as the kernel writes it.
func lineEvent(offset uint32, rising bool) []byte {
	b := make([]byte, lineEventSize)
	binary.NativeEndian.PutUint64(b[0:], 123456789)
	id := uint32(2)
	if rising {
		id = 1
	}
	binary.NativeEndian.PutUint32(b[8:], id)
	binary.NativeEndian.PutUint32(b[12:], offset)
	binary.NativeEndian.PutUint32(b[16:], 1)
	return b
}

func TestDecodeLineEvents(t *testing.T) {
	byOffset := map[uint32]int{17: 0, 27: 1}
	tests := []struct {
		name string
		buf  []byte
		want []int
	}{
		{"none", nil, nil},
		{"one", lineEvent(17, true), []int{0}},
		{"two", slices.Concat(lineEvent(27, false), lineEvent(17, true)), []int{1, 0}},
		{"foreign offset skipped", slices.Concat(lineEvent(5, true), lineEvent(27, true)), []int{1}},
		{"short tail ignored", slices.Concat(lineEvent(17, true), lineEvent(27, true)[:20]), []int{0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []int
			n := decodeLineEvents(tc.buf, byOffset, func(i int) { got = append(got, i) })
			if !slices.Equal(got, tc.want) || n != len(tc.want) {
				t.Errorf("got %v (n=%d), want %v", got, n, tc.want)
			}
		})
	}
}

func FuzzDecodeLineEvents(f *testing.F) {
	f.Add(lineEvent(17, true))
	f.Add(slices.Concat(lineEvent(27, false), lineEvent(3, true)))
	f.Add([]byte{1, 2, 3})
	byOffset := map[uint32]int{17: 0, 27: 1}
	f.Fuzz(func(t *testing.T, buf []byte) {
		n := decodeLineEvents(buf, byOffset, func(i int) {
			if i != 0 && i != 1 {
				t.Fatalf("index %d is no line of ours", i)
			}
		})
		if n > len(buf)/lineEventSize {
			t.Fatalf("%d events from %d bytes", n, len(buf))
		}
	})
}
