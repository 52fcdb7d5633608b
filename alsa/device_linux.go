//go:build linux && (386 || amd64 || arm || arm64 || riscv64 || loong64)

package alsa

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// fileDevice is Device on /dev/snd/pcmC*D*[cp]. The descriptor stays non-blocking and sits
// in Go's netpoller: a transfer that cannot go on parks its goroutine until the card has
// room or data (the kernel wakes poll at each period as avail_min asks), instead of
// blocking its thread in READI/WRITEI. A thread blocked in an ordinary system call keeps
// the runtime's monitor thread polling it from 20 us on and handing its P off, about 45
// context switches per 20 ms period and loop (media's BenchmarkCallCPU, syscallcards); a
// goroutine parked in the netpoller costs one wake-up (pollcards).
type fileDevice struct {
	fd   int
	f    *os.File
	rc   syscall.RawConn
	once sync.Once

	// The transfer in progress, set up before rc.Read/rc.Write calls xferFn.
	x      xferi
	req    uintptr
	xerr   unix.Errno
	xferFn func(fd uintptr) bool // made once: a closure per transfer would allocate
}

// stallTimeout is how long a transfer waits for the card before it counts as stalled (the
// kernel's own limit for a blocking transfer, which then fails with EIO).
const stallTimeout = 10 * time.Second

// newFileDevice wraps an open PCM descriptor; it closes fd on failure.
func newFileDevice(fd int, path string) (*fileDevice, error) {
	f := os.NewFile(uintptr(fd), path)
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("alsa: open %s: %w", path, err)
	}
	d := &fileDevice{fd: fd, f: f, rc: rc}
	d.xferFn = d.xferNow
	return d, nil
}

// openFile opens path the way a hw: device must be opened: O_NONBLOCK, so a device held by
// another process fails at once with EBUSY instead of blocking, and so transfers wait in
// the netpoller (see fileDevice).
func openFile(path string) (int, error) {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		if e, ok := err.(unix.Errno); ok {
			return -1, fmt.Errorf("alsa: open %s: %w", path, mapErrno(e))
		}
		return -1, fmt.Errorf("alsa: open %s: %w", path, err)
	}
	return fd, nil
}

func (d *fileDevice) Refine(p *HWParams) error  { return ioctl(d.fd, pcmHWRefine, unsafe.Pointer(p)) }
func (d *fileDevice) Install(p *HWParams) error { return ioctl(d.fd, pcmHWParams, unsafe.Pointer(p)) }
func (d *fileDevice) Prepare() error            { return ioctl(d.fd, pcmPrepare, nil) }
func (d *fileDevice) Start() error              { return ioctl(d.fd, pcmStart, nil) }
func (d *fileDevice) Drop() error               { return ioctl(d.fd, pcmDrop, nil) }
func (d *fileDevice) Resume() error             { return ioctl(d.fd, pcmResume, nil) }

func (d *fileDevice) SetSW(s SWParams) (SWParams, error) {
	k := swParams{
		periodStep:     1,
		availMin:       uintptr(s.AvailMin),
		startThreshold: uintptr(s.StartThreshold),
		stopThreshold:  uintptr(s.StopThreshold),
	}
	if err := ioctl(d.fd, pcmSWParams, unsafe.Pointer(&k)); err != nil {
		return SWParams{}, err
	}
	s.Boundary = int(k.boundary)
	return s, nil
}

func (d *fileDevice) ReadI(b []byte, frames int) (int, error) {
	return d.xfer(pcmReadI, b, frames)
}

func (d *fileDevice) WriteI(b []byte, frames int) (int, error) {
	return d.xfer(pcmWriteI, b, frames)
}

// xfer moves what the card can take or give now, waiting in the netpoller until that is at
// least one frame.
func (d *fileDevice) xfer(req uintptr, b []byte, frames int) (int, error) {
	if frames == 0 || len(b) == 0 {
		return 0, nil
	}
	d.x = xferi{buf: unsafe.Pointer(&b[0]), frames: uintptr(frames)}
	d.req, d.xerr = req, 0
	var err error
	if req == pcmReadI {
		if err = d.f.SetReadDeadline(time.Now().Add(stallTimeout)); err == nil {
			err = d.rc.Read(d.xferFn)
		}
	} else {
		if err = d.f.SetWriteDeadline(time.Now().Add(stallTimeout)); err == nil {
			err = d.rc.Write(d.xferFn)
		}
	}
	d.x.buf = nil
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return 0, ErrStalled
	case err != nil:
		return 0, fmt.Errorf("%w: %w", ErrBadState, err) // the file was closed under us
	}
	if d.xerr != 0 {
		return 0, mapErrno(d.xerr)
	}
	return d.x.result, nil
}

// xferNow is one non-blocking READI/WRITEI; false (EAGAIN) parks the caller in the
// netpoller. The call is raw: an ordinary one (entersyscall) wakes the runtime's monitor
// thread when it sleeps, and a non-blocking ioctl has no need to hand the P off.
func (d *fileDevice) xferNow(fd uintptr) bool {
	for {
		_, _, e := unix.RawSyscall(unix.SYS_IOCTL, fd, d.req, uintptr(unsafe.Pointer(&d.x)))
		switch e {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false
		}
		d.xerr = e
		return true
	}
}

// Drain blocks until the queued audio is played: DRAIN on a non-blocking descriptor returns
// EAGAIN at once, so the descriptor blocks for the call (PCM holds its lock: no transfer
// runs meanwhile).
func (d *fileDevice) Drain() error {
	fl, err := unix.FcntlInt(uintptr(d.fd), unix.F_GETFL, 0)
	if err != nil {
		return err
	}
	if _, err := unix.FcntlInt(uintptr(d.fd), unix.F_SETFL, fl&^unix.O_NONBLOCK); err != nil {
		return err
	}
	err = ioctl(d.fd, pcmDrain, nil)
	if _, ferr := unix.FcntlInt(uintptr(d.fd), unix.F_SETFL, fl); ferr != nil && err == nil {
		err = ferr
	}
	return err
}

func (d *fileDevice) Delay() (int, error) {
	var v int // snd_pcm_sframes_t is a C long, the size of Go's int on Linux
	if err := ioctl(d.fd, pcmDelay, unsafe.Pointer(&v)); err != nil {
		return 0, err
	}
	return v, nil
}

func (d *fileDevice) Close() error {
	err := os.ErrClosed
	d.once.Do(func() { err = d.f.Close() })
	return err
}
