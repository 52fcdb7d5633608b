//go:build linux && (386 || amd64 || arm || arm64 || riscv64 || loong64)

package alsa

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// The generic _IOC encoding (dir:2 size:14 type:8 nr:8) used by the architectures above;
// mips, powerpc and sparc differ and are not built. Sizes come from the Go mirrors of the C
// structs, so the numbers follow the target's word size: HW_REFINE is 0xC2604110 on 64-bit
// and 0xC25C4110 on 32-bit, as in the notes (checked in ioctl_linux_test.go).
const (
	iocWrite = 1
	iocRead  = 2
)

const (
	pcmHWRefine   = (iocRead|iocWrite)<<30 | unsafe.Sizeof(HWParams{})<<16 | 'A'<<8 | 0x10
	pcmHWParams   = (iocRead|iocWrite)<<30 | unsafe.Sizeof(HWParams{})<<16 | 'A'<<8 | 0x11
	pcmSWParams   = (iocRead|iocWrite)<<30 | unsafe.Sizeof(swParams{})<<16 | 'A'<<8 | 0x13
	pcmDelay      = iocRead<<30 | unsafe.Sizeof(int(0))<<16 | 'A'<<8 | 0x21
	pcmPrepare    = 'A'<<8 | 0x40
	pcmStart      = 'A'<<8 | 0x42
	pcmDrop       = 'A'<<8 | 0x43
	pcmDrain      = 'A'<<8 | 0x44
	pcmResume     = 'A'<<8 | 0x47
	pcmWriteI     = iocWrite<<30 | unsafe.Sizeof(xferi{})<<16 | 'A'<<8 | 0x50
	pcmReadI      = iocRead<<30 | unsafe.Sizeof(xferi{})<<16 | 'A'<<8 | 0x51
	ctlIoctlList  = (iocRead|iocWrite)<<30 | unsafe.Sizeof(ctlElemList{})<<16 | 'U'<<8 | 0x10
	ctlIoctlInfo  = (iocRead|iocWrite)<<30 | unsafe.Sizeof(ctlElemInfo{})<<16 | 'U'<<8 | 0x11
	ctlIoctlRead  = (iocRead|iocWrite)<<30 | unsafe.Sizeof(ctlElemValue{})<<16 | 'U'<<8 | 0x12
	ctlIoctlWrite = (iocRead|iocWrite)<<30 | unsafe.Sizeof(ctlElemValue{})<<16 | 'U'<<8 | 0x13
)

// swParams is struct snd_pcm_sw_params (136 bytes on 64-bit, 104 on 32-bit).
type swParams struct {
	tstampMode       int32
	periodStep       uint32
	sleepMin         uint32
	availMin         uintptr
	xferAlign        uintptr
	startThreshold   uintptr
	stopThreshold    uintptr
	silenceThreshold uintptr
	silenceSize      uintptr
	boundary         uintptr
	proto            uint32
	tstampType       uint32
	reserved         [56]byte
}

// xferi is struct snd_xferi (24 bytes on 64-bit, 12 on 32-bit). buf is a real pointer so
// the garbage collector and stack moves see it until the syscall.
type xferi struct {
	result int
	buf    unsafe.Pointer
	frames uintptr
}

// ioctl passes arg to the kernel. arg stays an unsafe.Pointer until the Syscall expression,
// where the compiler keeps it alive; nothing here escapes, so the I/O path does not allocate.
func ioctl(fd int, req uintptr, arg unsafe.Pointer) error {
	for {
		_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), req, uintptr(arg))
		if e == 0 {
			return nil
		}
		if e == unix.EINTR {
			continue
		}
		return mapErrno(e)
	}
}

// mapErrno turns a kernel error into this package's sentinels (keeping the errno too).
func mapErrno(e unix.Errno) error {
	var s error
	switch e {
	case unix.EPIPE:
		s = ErrXrun
	case unix.ESTRPIPE:
		s = ErrSuspended
	case unix.EIO:
		s = ErrStalled
	case unix.EBADFD:
		s = ErrBadState
	case unix.ENODEV, unix.ENXIO, unix.ESHUTDOWN:
		s = ErrDeviceGone
	case unix.EAGAIN, unix.EINTR:
		s = ErrInterrupted
	case unix.EINVAL:
		s = ErrUnsupported
	case unix.EBUSY:
		s = ErrBusy
	case unix.ENOENT:
		s = ErrNotFound
	default:
		return e
	}
	return errnoError{s, e}
}

type errnoError struct {
	sentinel error
	errno    unix.Errno
}

func (e errnoError) Error() string   { return e.sentinel.Error() + " (" + e.errno.Error() + ")" }
func (e errnoError) Unwrap() []error { return []error{e.sentinel, e.errno} }
