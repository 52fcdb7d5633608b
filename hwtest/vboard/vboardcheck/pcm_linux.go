package main

import (
	"errors"
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ioctl numbers and layout from include/uapi/sound/asound.h. C longs are Go's int/uint on
// Linux, so one layout serves 64-bit and 32-bit guests; the numbers carry the struct sizes
// (HW_REFINE 0xC2604110 on 64-bit, 0xC25C4110 on 32-bit).
const (
	ioctlHWRefine = 3<<30 | unsafe.Sizeof(hwParams{})<<16 | 'A'<<8 | 0x10
	ioctlHWParams = 3<<30 | unsafe.Sizeof(hwParams{})<<16 | 'A'<<8 | 0x11
	ioctlPrepare  = 0x4140
	ioctlStart    = 0x4142
	ioctlDrain    = 0x4144
	ioctlDrop     = 0x4143
	ioctlWriteI   = 1<<30 | unsafe.Sizeof(xferi{})<<16 | 'A'<<8 | 0x50
	ioctlReadI    = 2<<30 | unsafe.Sizeof(xferi{})<<16 | 'A'<<8 | 0x51

	paramAccess    = 0
	paramFormat    = 1
	paramSubformat = 2
	paramChannels  = 10
	paramRate      = 11
	paramPeriodSz  = 13
	paramPeriods   = 15
	paramBufferSz  = 17
	firstInterval  = 8

	accessRWInterleaved = 3
	formatS16LE         = 2
)

type sndMask struct{ Bits [8]uint32 }

type sndInterval struct {
	Min, Max uint32
	Flags    uint32 // openmin:1 openmax:1 integer:1 empty:1
}

type hwParams struct {
	Flags     uint32
	Masks     [3]sndMask
	Mres      [5]sndMask
	Intervals [12]sndInterval
	Ires      [9]sndInterval
	Rmask     uint32
	Cmask     uint32
	Info      uint32
	Msbits    uint32
	RateNum   uint32
	RateDen   uint32
	FifoSize  uint // C unsigned long
	Reserved  [64]byte
}

type xferi struct {
	Result int // snd_pcm_sframes_t: C long
	Buf    uintptr
	Frames uint // snd_pcm_uframes_t: C unsigned long
}

// pcm is one opened substream, S16_LE interleaved.
type pcm struct {
	f        *os.File
	capture  bool
	rate     int
	channels int
	period   int
	buffer   int
	xruns    int
}

func anyParams() *hwParams {
	p := &hwParams{Rmask: ^uint32(0), Info: ^uint32(0)}
	for i := range p.Masks {
		for j := range p.Masks[i].Bits {
			p.Masks[i].Bits[j] = ^uint32(0)
		}
	}
	for i := range p.Intervals {
		p.Intervals[i] = sndInterval{Min: 0, Max: ^uint32(0)}
	}
	return p
}

func (p *hwParams) setMask(param, bit int) {
	p.Masks[param] = sndMask{}
	p.Masks[param].Bits[bit/32] = 1 << (bit % 32)
}

func (p *hwParams) setInt(param int, v uint32) {
	p.Intervals[param-firstInterval] = sndInterval{Min: v, Max: v, Flags: 1 << 2}
}

func (p *hwParams) interval(param int) sndInterval { return p.Intervals[param-firstInterval] }

func ioctlPtr(fd uintptr, req uintptr, arg unsafe.Pointer) error {
	_, _, e := unix.Syscall(unix.SYS_IOCTL, fd, req, uintptr(arg))
	if e != 0 {
		return e
	}
	return nil
}

// pcmPath is /dev/snd/pcmC<card>D<dev>{p,c}.
func pcmPath(card, dev int, capture bool) string {
	s := "p"
	if capture {
		s = "c"
	}
	return fmt.Sprintf("/dev/snd/pcmC%dD%d%s", card, dev, s)
}

// refineRate asks the card which rates and channel counts a substream accepts now; with
// aloop that is fixed by whoever opened the cable's other end first.
func refineRate(path string) (rmin, rmax, cmin, cmax uint32, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|unix.O_NONBLOCK, 0)
	if err != nil {
		return 0, 0, 0, 0, err
	}
	defer f.Close()
	p := anyParams()
	p.setMask(paramAccess, accessRWInterleaved)
	p.setMask(paramFormat, formatS16LE)
	if err := ioctlPtr(f.Fd(), ioctlHWRefine, unsafe.Pointer(p)); err != nil {
		return 0, 0, 0, 0, fmt.Errorf("HW_REFINE %s: %w", path, err)
	}
	r, c := p.interval(paramRate), p.interval(paramChannels)
	return r.Min, r.Max, c.Min, c.Max, nil
}

func openPCM(path string, capture bool, rate, channels, period, periods int) (*pcm, error) {
	if w := unsafe.Sizeof(uintptr(0)); unsafe.Sizeof(hwParams{}) != 600+w || unsafe.Sizeof(xferi{}) != 3*w {
		return nil, fmt.Errorf("vboardcheck: snd_pcm_hw_params %d bytes, snd_xferi %d: not the kernel's layout",
			unsafe.Sizeof(hwParams{}), unsafe.Sizeof(xferi{}))
	}
	f, err := os.OpenFile(path, os.O_RDWR|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	// Non-blocking open fails fast on a busy substream; I/O below blocks.
	if err := unix.SetNonblock(int(f.Fd()), false); err != nil {
		f.Close()
		return nil, err
	}
	p := anyParams()
	p.setMask(paramAccess, accessRWInterleaved)
	p.setMask(paramFormat, formatS16LE)
	p.setMask(paramSubformat, 0)
	p.setInt(paramChannels, uint32(channels))
	p.setInt(paramRate, uint32(rate))
	p.setInt(paramPeriodSz, uint32(period))
	p.setInt(paramPeriods, uint32(periods))
	if err := ioctlPtr(f.Fd(), ioctlHWParams, unsafe.Pointer(p)); err != nil {
		f.Close()
		return nil, fmt.Errorf("HW_PARAMS %s (%d Hz, %d ch, period %d x %d): %w", path, rate, channels, period, periods, err)
	}
	if err := ioctlPtr(f.Fd(), ioctlPrepare, nil); err != nil {
		f.Close()
		return nil, fmt.Errorf("PREPARE %s: %w", path, err)
	}
	return &pcm{f: f, capture: capture, rate: rate, channels: channels,
		period: int(p.interval(paramPeriodSz).Min), buffer: int(p.interval(paramBufferSz).Min)}, nil
}

// xfer moves len(buf)/channels frames, recovering from xruns by PREPARE.
func (c *pcm) xfer(buf []int16) (int, error) {
	frames := len(buf) / c.channels
	done := 0
	for done < frames {
		x := xferi{Buf: uintptr(unsafe.Pointer(&buf[done*c.channels])), Frames: uint(frames - done)}
		req := uintptr(ioctlWriteI)
		if c.capture {
			req = ioctlReadI
		}
		err := ioctlPtr(c.f.Fd(), req, unsafe.Pointer(&x))
		switch {
		case err == nil:
			done += int(x.Result) // the kernel reports frames moved in result
		case errors.Is(err, unix.EPIPE), errors.Is(err, unix.ESTRPIPE), errors.Is(err, unix.EIO):
			// EIO: the kernel waited a whole buffer for progress (a stalled TCG guest) and
			// left the stream running, where PREPARE fails with EBUSY: drop it first.
			c.xruns++
			if errors.Is(err, unix.EIO) {
				_ = ioctlPtr(c.f.Fd(), ioctlDrop, nil)
			}
			if err := ioctlPtr(c.f.Fd(), ioctlPrepare, nil); err != nil {
				return done, fmt.Errorf("xrun recovery: %w", err)
			}
		case errors.Is(err, unix.EINTR), errors.Is(err, unix.EAGAIN):
		default:
			return done, err
		}
	}
	return done, nil
}

func (c *pcm) start() error { return ioctlPtr(c.f.Fd(), ioctlStart, nil) }

func (c *pcm) drain() error { return ioctlPtr(c.f.Fd(), ioctlDrain, nil) }

func (c *pcm) close() error {
	_ = ioctlPtr(c.f.Fd(), ioctlDrop, nil)
	return c.f.Close()
}
