package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unsafe"
)

// GPIO character device v2 ABI, include/uapi/linux/gpio.h.
const (
	ioctlChipInfo   = 0x8044B401
	ioctlLineInfoV2 = 0xC100B405
	ioctlLineV2     = 0xC250B407
	ioctlGetValues  = 0xC010B40E
	ioctlSetValues  = 0xC010B40F

	lineFlagUsed   = 1 << 0
	lineFlagInput  = 1 << 2
	lineFlagOutput = 1 << 3
	lineFlagRise   = 1 << 4
	lineFlagFall   = 1 << 5
)

type chipInfo struct {
	Name  [32]byte
	Label [32]byte
	Lines uint32
}

type lineAttr struct {
	ID      uint32
	Padding uint32
	Value   uint64
}

type lineConfigAttr struct {
	Attr lineAttr
	Mask uint64
}

type lineConfig struct {
	Flags    uint64
	NumAttrs uint32
	Padding  [5]uint32
	Attrs    [10]lineConfigAttr
}

type lineRequest struct {
	Offsets         [64]uint32
	Consumer        [32]byte
	Config          lineConfig
	NumLines        uint32
	EventBufferSize uint32
	Padding         [5]uint32
	Fd              int32
}

type lineInfo struct {
	Name     [32]byte
	Consumer [32]byte
	Offset   uint32
	NumAttrs uint32
	Flags    uint64
	Attrs    [10]lineAttr
	Padding  [4]uint32
}

type lineValues struct{ Bits, Mask uint64 }

// simChip is the gpio-sim chip: its character device for the consumer's view and its
// sysfs directory for the simulator's (pulls on inputs, levels of outputs).
type simChip struct {
	dev    *os.File
	devdir string
	label  string
	lines  map[string]int // line name -> offset
	flags  map[string]uint64
}

func cstr(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

func openSim(chip, devdir string) (*simChip, error) {
	if unsafe.Sizeof(lineRequest{}) != 592 || unsafe.Sizeof(lineInfo{}) != 256 {
		return nil, errors.New("gpio v2 structs have an unexpected layout")
	}
	f, err := os.OpenFile("/dev/"+chip, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	var ci chipInfo
	if err := ioctlPtr(f.Fd(), ioctlChipInfo, unsafe.Pointer(&ci)); err != nil {
		f.Close()
		return nil, fmt.Errorf("GPIO_GET_CHIPINFO %s: %w", chip, err)
	}
	s := &simChip{dev: f, devdir: devdir, label: cstr(ci.Label[:]), lines: map[string]int{}, flags: map[string]uint64{}}
	if err := s.refresh(int(ci.Lines)); err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

func (s *simChip) refresh(n int) error {
	for off := range n {
		li := lineInfo{Offset: uint32(off)}
		if err := ioctlPtr(s.dev.Fd(), ioctlLineInfoV2, unsafe.Pointer(&li)); err != nil {
			return fmt.Errorf("GPIO_V2_GET_LINEINFO %d: %w", off, err)
		}
		name := cstr(li.Name[:])
		s.lines[name] = off
		s.flags[name] = li.Flags
	}
	return nil
}

func (s *simChip) offset(name string) (int, error) {
	off, ok := s.lines[name]
	if !ok {
		return 0, fmt.Errorf("gpio-sim has no line named %q (lines: %v)", name, s.lines)
	}
	return off, nil
}

func (s *simChip) simFile(name, file string) (string, error) {
	off, err := s.offset(name)
	if err != nil {
		return "", err
	}
	return filepath.Join(s.devdir, fmt.Sprintf("sim_gpio%d", off), file), nil
}

// pull sets the simulated outside level of an input line (what a button would do).
func (s *simChip) pull(name string, up bool) error {
	p, err := s.simFile(name, "pull")
	if err != nil {
		return err
	}
	v := "pull-down"
	if up {
		v = "pull-up"
	}
	return os.WriteFile(p, []byte(v), 0)
}

// level reads the level the consumer drives on a line (or the pull when nobody drives it).
func (s *simChip) level(name string) (int, error) {
	p, err := s.simFile(name, "value")
	if err != nil {
		return -1, err
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return -1, err
	}
	switch strings.TrimSpace(string(b)) {
	case "0":
		return 0, nil
	case "1":
		return 1, nil
	}
	return -1, fmt.Errorf("%s: unexpected %q", p, b)
}

// request takes one line as a consumer would (input with both edges, or output).
func (s *simChip) request(name string, output bool, initial int) (*os.File, error) {
	off, err := s.offset(name)
	if err != nil {
		return nil, err
	}
	r := lineRequest{NumLines: 1}
	r.Offsets[0] = uint32(off)
	copy(r.Consumer[:], "vboardcheck")
	if output {
		r.Config.Flags = lineFlagOutput
		r.Config.NumAttrs = 1
		r.Config.Attrs[0] = lineConfigAttr{Attr: lineAttr{ID: 2 /* OUTPUT_VALUES */, Value: uint64(initial)}, Mask: 1}
	} else {
		r.Config.Flags = lineFlagInput | lineFlagRise | lineFlagFall
	}
	if err := ioctlPtr(s.dev.Fd(), ioctlLineV2, unsafe.Pointer(&r)); err != nil {
		return nil, fmt.Errorf("GPIO_V2_GET_LINE %s: %w", name, err)
	}
	return os.NewFile(uintptr(r.Fd), "gpio-line-"+name), nil
}

func lineGet(f *os.File) (int, error) {
	v := lineValues{Mask: 1}
	if err := ioctlPtr(f.Fd(), ioctlGetValues, unsafe.Pointer(&v)); err != nil {
		return -1, err
	}
	return int(v.Bits & 1), nil
}

func lineSet(f *os.File, v int) error {
	lv := lineValues{Bits: uint64(v & 1), Mask: 1}
	return ioctlPtr(f.Fd(), ioctlSetValues, unsafe.Pointer(&lv))
}
