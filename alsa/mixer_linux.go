//go:build linux && (386 || amd64 || arm || arm64 || riscv64 || loong64)

package alsa

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ctlElemID is struct snd_ctl_elem_id (64 bytes everywhere).
type ctlElemID struct {
	numid     uint32
	iface     int32
	device    uint32
	subdevice uint32
	name      [44]byte
	index     uint32
}

// ctlElemList is struct snd_ctl_elem_list (80 bytes on 64-bit, 72 on 32-bit).
type ctlElemList struct {
	offset, space, used, count uint32
	pids                       unsafe.Pointer
	reserved                   [50]byte
}

// ctlElemInfo is struct snd_ctl_elem_info (272 bytes everywhere). value is the union; its
// integer member is three C longs.
type ctlElemInfo struct {
	id     ctlElemID
	typ    int32
	access uint32
	count  uint32
	owner  int32
	value  [128]byte
	_      [64]byte
}

// ctlElemValue is struct snd_ctl_elem_value: the union of 128 C longs sits 8-aligned except on
// 386 (ctlValuePad), so it is 1224 bytes on 64-bit, 712 on arm and 708 on 386.
type ctlElemValue struct {
	id       ctlElemID
	indirect uint32
	_        [ctlValuePad]byte
	value    [128 * unsafe.Sizeof(int(0))]byte
	_        [128]byte
}

const (
	ctlTypeBoolean = 1
	ctlTypeInteger = 2
	ctlAccessWrite = 1 << 1
)

func ctlType(t int32) string {
	switch t {
	case ctlTypeBoolean:
		return "boolean"
	case ctlTypeInteger:
		return "integer"
	case 3:
		return "enumerated"
	case 4:
		return "bytes"
	case 5:
		return "iec958"
	case 6:
		return "integer64"
	}
	return "none"
}

type ctlFile struct {
	fd   int
	once sync.Once
}

// OpenMixer opens the control device of card (an index or an id from /proc/asound/cards).
func OpenMixer(card string) (*Mixer, error) {
	cards, _ := Cards()
	idx, err := Name{Card: card}.cardIndex(cards)
	if err != nil {
		return nil, fmt.Errorf("alsa: mixer %s: %w", card, err)
	}
	fd, err := openFile(fmt.Sprintf("/dev/snd/controlC%d", idx))
	if err != nil {
		return nil, err
	}
	return &Mixer{c: &ctlFile{fd: fd}, card: card}, nil
}

func (f *ctlFile) elems() ([]Control, error) {
	var l ctlElemList
	if err := ioctl(f.fd, ctlIoctlList, unsafe.Pointer(&l)); err != nil {
		return nil, err
	}
	if l.count == 0 {
		return nil, nil
	}
	ids := make([]ctlElemID, l.count)
	l.space = l.count
	l.pids = unsafe.Pointer(&ids[0])
	if err := ioctl(f.fd, ctlIoctlList, unsafe.Pointer(&l)); err != nil {
		return nil, err
	}
	out := make([]Control, 0, l.used)
	for _, id := range ids[:l.used] {
		info := ctlElemInfo{id: id}
		if err := ioctl(f.fd, ctlIoctlInfo, unsafe.Pointer(&info)); err != nil {
			return nil, err
		}
		c := Control{
			ID:       int(id.numid),
			Name:     string(bytes.TrimRight(id.name[:], "\x00")),
			Index:    int(id.index),
			Count:    int(info.count),
			Writable: info.access&ctlAccessWrite != 0,
		}
		c.Type = ctlType(info.typ)
		switch info.typ {
		case ctlTypeInteger:
			c.Min, c.Max = long(info.value[:], 0), long(info.value[:], 1)
		case ctlTypeBoolean:
			c.Min, c.Max = 0, 1
		}
		out = append(out, c)
	}
	return out, nil
}

func (f *ctlFile) read(c Control) ([]int, error) {
	v := ctlElemValue{id: ctlElemID{numid: uint32(c.ID)}}
	if err := ioctl(f.fd, ctlIoctlRead, unsafe.Pointer(&v)); err != nil {
		return nil, err
	}
	out := make([]int, min(c.Count, 128))
	for i := range out {
		out[i] = long(v.value[:], i)
	}
	return out, nil
}

func (f *ctlFile) write(c Control, vals []int) error {
	v := ctlElemValue{id: ctlElemID{numid: uint32(c.ID)}}
	for i, x := range vals[:min(len(vals), 128)] {
		putLong(v.value[:], i, x)
	}
	return ioctl(f.fd, ctlIoctlWrite, unsafe.Pointer(&v))
}

func (f *ctlFile) Close() error {
	err := os.ErrClosed
	f.once.Do(func() { err = unix.Close(f.fd) })
	if err == os.ErrClosed {
		return nil
	}
	return err
}

// long reads the i-th C long of b (little-endian, the size of Go's int).
func long(b []byte, i int) int {
	if unsafe.Sizeof(int(0)) == 8 {
		return int(int64(binary.LittleEndian.Uint64(b[i*8:])))
	}
	return int(int32(binary.LittleEndian.Uint32(b[i*4:])))
}

func putLong(b []byte, i, x int) {
	if unsafe.Sizeof(int(0)) == 8 {
		binary.LittleEndian.PutUint64(b[i*8:], uint64(x))
		return
	}
	binary.LittleEndian.PutUint32(b[i*4:], uint32(x))
}
