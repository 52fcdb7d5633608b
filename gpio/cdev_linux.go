package gpio

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// The GPIO character device ABI v2 (include/uapi/linux/gpio.h). Every field is naturally
// aligned by explicit padding in the kernel header, so one Go layout serves arm, arm64 and
// amd64 (cdev_linux_test.go checks the sizes).

const (
	gpioMaxNameSize  = 32
	gpioV2LinesMax   = 64
	gpioV2AttrsMax   = 10
	gpioIoctlType    = 0xB4
	iocWrite         = 1
	iocRead          = 2
	iocNRShift       = 0
	iocTypeShift     = 8
	iocSizeShift     = 16
	iocDirShift      = 30
	lineFlagActLow   = 1 << 1
	lineFlagInput    = 1 << 2
	lineFlagOutput   = 1 << 3
	lineFlagRising   = 1 << 4
	lineFlagFalling  = 1 << 5
	lineFlagPullUp   = 1 << 8
	lineFlagPullDown = 1 << 9
	lineFlagBiasOff  = 1 << 10
	attrIDFlags      = 1
	attrIDOutValues  = 2
)

type gpiochipInfo struct {
	name  [gpioMaxNameSize]byte
	label [gpioMaxNameSize]byte
	lines uint32
}

type lineAttribute struct {
	id      uint32
	padding uint32
	value   uint64 // flags, output values or debounce period, by id
}

type lineConfigAttribute struct {
	attr lineAttribute
	mask uint64
}

type lineConfig struct {
	flags    uint64
	numAttrs uint32
	padding  [5]uint32
	attrs    [gpioV2AttrsMax]lineConfigAttribute
}

type lineRequest struct {
	offsets         [gpioV2LinesMax]uint32
	consumer        [gpioMaxNameSize]byte
	config          lineConfig
	numLines        uint32
	eventBufferSize uint32
	padding         [5]uint32
	fd              int32
}

type lineInfo struct {
	name     [gpioMaxNameSize]byte
	consumer [gpioMaxNameSize]byte
	offset   uint32
	numAttrs uint32
	flags    uint64
	attrs    [gpioV2AttrsMax]lineAttribute
	padding  [4]uint32
}

type lineValues struct {
	bits uint64
	mask uint64
}

func ioc(dir, nr, size uintptr) uintptr {
	return dir<<iocDirShift | gpioIoctlType<<iocTypeShift | nr<<iocNRShift | size<<iocSizeShift
}

func ioctlChipInfo() uintptr  { return ioc(iocRead, 0x01, unsafe.Sizeof(gpiochipInfo{})) }
func ioctlLineInfo() uintptr  { return ioc(iocRead|iocWrite, 0x05, unsafe.Sizeof(lineInfo{})) }
func ioctlGetLine() uintptr   { return ioc(iocRead|iocWrite, 0x07, unsafe.Sizeof(lineRequest{})) }
func ioctlGetValues() uintptr { return ioc(iocRead|iocWrite, 0x0E, unsafe.Sizeof(lineValues{})) }
func ioctlSetValues() uintptr { return ioc(iocRead|iocWrite, 0x0F, unsafe.Sizeof(lineValues{})) }

func ioctl(fd uintptr, req uintptr, arg unsafe.Pointer) error {
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, fd, req, uintptr(arg))
	if errno != 0 {
		return errno
	}
	return nil
}

func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}
