package gpio

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// OpenEdges claims offsets on chip as pulled-up inputs reporting falling edges, with no
// debounce (a Wiegand pulse is 20 to 100 us) and an event buffer of bufferSize.
func OpenEdges(chip string, offsets []int, bufferSize int) (EdgeLines, error) {
	path, err := findChip(chip)
	if err != nil {
		return nil, err
	}
	if len(offsets) == 0 || len(offsets) > gpioV2LinesMax {
		return nil, fmt.Errorf("gpio: %d edge lines (expected 1 to %d)", len(offsets), gpioV2LinesMax)
	}
	req := &lineRequest{numLines: uint32(len(offsets)), eventBufferSize: uint32(bufferSize)}
	copy(req.consumer[:gpioMaxNameSize-1], consumer)
	req.config.flags = lineFlagInput | lineFlagFalling | lineFlagPullUp
	for i, o := range offsets {
		req.offsets[i] = uint32(o)
	}
	f, err := os.OpenFile(path, os.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("gpio: open %s: %w", path, err)
	}
	defer f.Close()
	if err := ioctl(f.Fd(), ioctlGetLine(), unsafe.Pointer(req)); err != nil {
		return nil, fmt.Errorf("gpio: request edge lines %v on %s: %w", offsets, path, err)
	}
	if err := unix.SetNonblock(int(req.fd), true); err != nil {
		_ = unix.Close(int(req.fd))
		return nil, fmt.Errorf("gpio: edge lines fd: %w", err)
	}
	e := &chipEdges{f: os.NewFile(uintptr(req.fd), path+" edges"), byOffset: map[uint32]int{}}
	for i, o := range offsets {
		e.byOffset[uint32(o)] = i
	}
	return e, nil
}

type chipEdges struct {
	f        *os.File
	byOffset map[uint32]int
}

func (e *chipEdges) Run(ctx context.Context, fn func(EdgeEvent)) error {
	var last uint32
	return readEvents(ctx, e.f, make([]byte, EdgeBufferSize*lineEventSize), "edges", "edge events", func(b []byte) {
		last = decodeEdgeEvents(b, e.byOffset, last, fn)
	})
}

func (e *chipEdges) Close() error { return e.f.Close() }

// decodeEdgeEvents calls fn for every whole event in buf and returns the last sequence
// number seen; last is the one before buf (0: none yet; the kernel counts from 1).
func decodeEdgeEvents(buf []byte, byOffset map[uint32]int, last uint32, fn func(EdgeEvent)) uint32 {
	for off := 0; off+lineEventSize <= len(buf); off += lineEventSize {
		ev := buf[off : off+lineEventSize]
		seq := binary.NativeEndian.Uint32(ev[16:])
		var lost uint32
		if seq > last+1 {
			lost = seq - last - 1
		}
		last = seq
		i, ok := byOffset[binary.NativeEndian.Uint32(ev[12:])]
		if !ok {
			continue
		}
		fn(EdgeEvent{Line: i, At: time.Duration(binary.NativeEndian.Uint64(ev[0:])), Lost: lost})
	}
	return last
}
