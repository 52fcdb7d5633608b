//go:build linux && (386 || amd64 || arm || arm64 || riscv64 || loong64)

package alsa

import "unsafe"

// pcmStatus is struct snd_pcm_status with the C long timespecs of the target's word size:
// 152 bytes on 64-bit (the kernel's STATUS64), 108 on 32-bit (STATUS32: the kernel keeps it
// for 32-bit time, and no timestamp is read here). Go pads the timespec after state to 8 on
// 64-bit, as C does.
type pcmStatus struct {
	state          int32
	triggerTstamp  [2]int
	tstamp         [2]int
	applPtr        uintptr
	hwPtr          uintptr
	delay          int
	avail          uintptr
	availMax       uintptr
	overrange      uintptr
	suspendedState int32
	audioTstampDat uint32
	audioTstamp    [2]int
	driverTstamp   [2]int
	tstampAccuracy uint32
	reserved       [52 - 4*unsafe.Sizeof(int(0))]byte
}

const pcmStatusIoctl = iocRead<<30 | unsafe.Sizeof(pcmStatus{})<<16 | 'A'<<8 | 0x20

// The kernel's stream states that count as running (SNDRV_PCM_STATE_RUNNING, _DRAINING).
const (
	stateRunning  = 3
	stateDraining = 5
)

func (d *fileDevice) Status() (Status, error) {
	var k pcmStatus
	if err := ioctl(d.fd, pcmStatusIoctl, unsafe.Pointer(&k)); err != nil {
		return Status{}, err
	}
	return Status{
		Running: k.state == stateRunning || k.state == stateDraining,
		Appl:    uint64(k.applPtr), HW: uint64(k.hwPtr),
		Delay: k.delay, Avail: int(k.avail),
	}, nil
}
