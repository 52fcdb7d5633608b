package gpio

import (
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Probe requests the lines "as is" (no direction flag: the kernel changes neither direction
// nor level), reads their levels and, from the line info, whether each is an output, then
// releases them. On a Raspberry Pi kernel that keeps released outputs, the release leaves the
// level as it was; on mainline the pin returns to an input, which is what Request is about to
// replace with the safe level anyway.
func (d chipDriver) Probe(specs []LineSpec) ([]LineState, error) {
	if len(specs) == 0 || len(specs) > gpioV2LinesMax {
		return nil, fmt.Errorf("gpio: probe %d lines (expected 1 to %d)", len(specs), gpioV2LinesMax)
	}
	path, err := findChip(d.name)
	if err != nil {
		return nil, err
	}
	chip, err := os.OpenFile(path, os.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("gpio: open %s: %w", path, err)
	}
	defer chip.Close()
	req := &lineRequest{numLines: uint32(len(specs))}
	copy(req.consumer[:gpioMaxNameSize-1], consumer+"-probe")
	for i, sp := range specs {
		req.offsets[i] = uint32(sp.Offset)
	}
	if err := ioctl(chip.Fd(), ioctlGetLine(), unsafe.Pointer(req)); err != nil {
		return nil, fmt.Errorf("gpio: probe lines on %s: %w", path, err)
	}
	defer unix.Close(int(req.fd))
	v := lineValues{mask: 1<<len(specs) - 1}
	if err := ioctl(uintptr(req.fd), ioctlGetValues(), unsafe.Pointer(&v)); err != nil {
		return nil, fmt.Errorf("gpio: probe values on %s: %w", path, err)
	}
	out := make([]LineState, len(specs))
	for i, sp := range specs {
		info := lineInfo{offset: uint32(sp.Offset)}
		if err := ioctl(chip.Fd(), ioctlLineInfo(), unsafe.Pointer(&info)); err != nil {
			return nil, fmt.Errorf("gpio: line info %d on %s: %w", sp.Offset, path, err)
		}
		out[i] = LineState{Output: info.flags&lineFlagOutput != 0, High: v.bits&(1<<i) != 0}
	}
	return out, nil
}
