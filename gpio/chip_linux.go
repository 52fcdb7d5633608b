package gpio

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// consumer is how the lines show up in gpioinfo.
const consumer = "intercom"

// chipDriver requests lines from a Linux gpiochip through the character device ABI v2. It is
// written against the kernel ABI directly rather than periph's gpioioctl because only the
// request itself can carry an output's initial level (GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES):
// periph requests the line first and then switches it to output at level 0, which on an
// active-low relay board is a click of the door strike.
type chipDriver struct{ name string }

// findChip resolves Config.Chip: an absolute device path, a device name ("gpiochip1") or a
// chip label ("pinctrl-bcm2835", "gpio-sim.0-node0").
func findChip(name string) (string, error) {
	if filepath.IsAbs(name) {
		return name, nil
	}
	paths, _ := filepath.Glob("/dev/gpiochip*")
	var seen []string
	for _, p := range paths {
		if filepath.Base(p) == name {
			return p, nil
		}
	}
	for _, p := range paths {
		label, err := chipLabel(p)
		if err != nil {
			continue
		}
		if label == name {
			return p, nil
		}
		seen = append(seen, fmt.Sprintf("%s (%s)", filepath.Base(p), label))
	}
	if len(seen) == 0 {
		return "", fmt.Errorf("%w: %q (no /dev/gpiochip* present)", ErrNoChip, name)
	}
	return "", fmt.Errorf("%w: %q (present: %s)", ErrNoChip, name, strings.Join(seen, ", "))
}

func chipLabel(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var info gpiochipInfo
	if err := ioctl(f.Fd(), ioctlChipInfo(), unsafe.Pointer(&info)); err != nil {
		return "", err
	}
	return cString(info.label[:]), nil
}

// lineFlags is what a spec asks of the kernel; levels stay physical (no ACTIVE_LOW flag),
// the Board converts.
func lineFlags(sp LineSpec) uint64 {
	if sp.Output {
		return lineFlagOutput
	}
	f := uint64(lineFlagInput | lineFlagRising | lineFlagFalling)
	switch sp.Bias {
	case BiasPullUp:
		f |= lineFlagPullUp
	case BiasPullDown:
		f |= lineFlagPullDown
	case BiasDisable:
		f |= lineFlagBiasOff
	}
	return f
}

// buildRequest puts every line in one request: one flags attribute per distinct set of
// flags, and the outputs' initial levels.
func buildRequest(specs []LineSpec) (*lineRequest, error) {
	if len(specs) == 0 || len(specs) > gpioV2LinesMax {
		return nil, fmt.Errorf("gpio: %d lines in one request (expected 1 to %d)", len(specs), gpioV2LinesMax)
	}
	req := &lineRequest{numLines: uint32(len(specs))}
	copy(req.consumer[:gpioMaxNameSize-1], consumer)
	req.config.flags = lineFlags(specs[0])
	masks := map[uint64]uint64{}
	var order []uint64
	var outMask, outBits uint64
	for i, sp := range specs {
		req.offsets[i] = uint32(sp.Offset)
		fl := lineFlags(sp)
		if _, ok := masks[fl]; !ok {
			order = append(order, fl)
		}
		masks[fl] |= 1 << i
		if sp.Output {
			outMask |= 1 << i
			if sp.Initial {
				outBits |= 1 << i
			}
		}
	}
	add := func(a lineConfigAttribute) {
		req.config.attrs[req.config.numAttrs] = a
		req.config.numAttrs++
	}
	for _, fl := range order {
		add(lineConfigAttribute{attr: lineAttribute{id: attrIDFlags, value: fl}, mask: masks[fl]})
	}
	if outMask != 0 {
		add(lineConfigAttribute{attr: lineAttribute{id: attrIDOutValues, value: outBits}, mask: outMask})
	}
	return req, nil
}

func (d chipDriver) Request(specs []LineSpec) (Lines, error) {
	path, err := findChip(d.name)
	if err != nil {
		return nil, err
	}
	req, err := buildRequest(specs)
	if err != nil {
		return nil, err
	}
	chip, err := os.OpenFile(path, os.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("gpio: open %s: %w", path, err)
	}
	// The request fd lives on its own; the chip fd is only needed to make it.
	defer chip.Close()
	if err := ioctl(chip.Fd(), ioctlGetLine(), unsafe.Pointer(req)); err != nil {
		return nil, fmt.Errorf("gpio: request lines on %s: %w", path, err)
	}
	// Non-blocking, so os.File reads go through the runtime poller and honour deadlines.
	if err := unix.SetNonblock(int(req.fd), true); err != nil {
		_ = unix.Close(int(req.fd))
		return nil, fmt.Errorf("gpio: line request fd: %w", err)
	}
	l := &chipLines{f: os.NewFile(uintptr(req.fd), path+" lines"), byOffset: map[uint32]int{}}
	for i, sp := range specs {
		l.byOffset[uint32(sp.Offset)] = i
	}
	return l, nil
}

// chipLines is one kernel line request.
type chipLines struct {
	f        *os.File
	byOffset map[uint32]int
}

func (l *chipLines) values(req uintptr, v *lineValues) error {
	rc, err := l.f.SyscallConn()
	if err != nil {
		return ErrClosed
	}
	var ierr error
	if err := rc.Control(func(fd uintptr) { ierr = ioctl(fd, req, unsafe.Pointer(v)) }); err != nil {
		return ErrClosed
	}
	return ierr
}

func (l *chipLines) Get(i int) (bool, error) {
	v := lineValues{mask: 1 << i}
	if err := l.values(ioctlGetValues(), &v); err != nil {
		return false, fmt.Errorf("gpio: get values: %w", err)
	}
	return v.bits&(1<<i) != 0, nil
}

func (l *chipLines) Set(i int, high bool) error {
	v := lineValues{mask: 1 << i}
	if high {
		v.bits = 1 << i
	}
	if err := l.values(ioctlSetValues(), &v); err != nil {
		return fmt.Errorf("gpio: set values: %w", err)
	}
	return nil
}

func (l *chipLines) Watch(ctx context.Context, edge func(int)) error {
	return readEvents(ctx, l.f, make([]byte, 16*lineEventSize), "watch", "line events", func(b []byte) {
		decodeLineEvents(b, l.byOffset, edge)
	})
}

func (l *chipLines) Close() error { return l.f.Close() }
