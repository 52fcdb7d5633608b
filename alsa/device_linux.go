//go:build linux && (386 || amd64 || arm || arm64 || riscv64 || loong64)

package alsa

import (
	"fmt"
	"os"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// fileDevice is Device on /dev/snd/pcmC*D*[cp].
type fileDevice struct {
	fd   int
	once sync.Once
}

// openFile opens path the way a hw: device must be opened: O_NONBLOCK so a device held by
// another process fails at once with EBUSY instead of blocking, then back to blocking mode
// because the I/O path relies on the kernel to pace it.
func openFile(path string) (int, error) {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		if e, ok := err.(unix.Errno); ok {
			return -1, fmt.Errorf("alsa: open %s: %w", path, mapErrno(e))
		}
		return -1, fmt.Errorf("alsa: open %s: %w", path, err)
	}
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err == nil {
		_, err = unix.FcntlInt(uintptr(fd), unix.F_SETFL, fl&^unix.O_NONBLOCK)
	}
	if err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("alsa: open %s: clear O_NONBLOCK: %w", path, err)
	}
	return fd, nil
}

func (d *fileDevice) Refine(p *HWParams) error  { return ioctl(d.fd, pcmHWRefine, unsafe.Pointer(p)) }
func (d *fileDevice) Install(p *HWParams) error { return ioctl(d.fd, pcmHWParams, unsafe.Pointer(p)) }
func (d *fileDevice) Prepare() error            { return ioctl(d.fd, pcmPrepare, nil) }
func (d *fileDevice) Start() error              { return ioctl(d.fd, pcmStart, nil) }
func (d *fileDevice) Drop() error               { return ioctl(d.fd, pcmDrop, nil) }
func (d *fileDevice) Drain() error              { return ioctl(d.fd, pcmDrain, nil) }
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

func (d *fileDevice) xfer(req uintptr, b []byte, frames int) (int, error) {
	if frames == 0 || len(b) == 0 {
		return 0, nil
	}
	x := xferi{buf: unsafe.Pointer(&b[0]), frames: uintptr(frames)}
	if err := ioctl(d.fd, req, unsafe.Pointer(&x)); err != nil {
		return 0, err
	}
	return x.result, nil
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
	d.once.Do(func() { err = unix.Close(d.fd) })
	return err
}
