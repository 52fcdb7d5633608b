package media

import (
	"os"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// timerFD is a pacer's wait on the real clock: a timerfd in Go's netpoller, armed and read
// with raw system calls. A Go timer's expiry is handled by whichever thread runs timers,
// which readies the goroutine and wakes another thread to run it (about ten context switches
// per period with the runtime's monitor thread); a timerfd becomes readable in the epoll set
// of the thread that sleeps in the netpoller, which then runs the waiting goroutine itself.
// The calls are raw (no entersyscall) because every ordinary system call wakes the runtime's
// monitor thread when it sleeps; each is non-blocking, so holding the P through it is
// harmless. The timer is armed in the first call of the read function, not before the read:
// the poller forgets a readiness seen before the read begins (RawRead's prepareRead), so an
// expiry between arming and that would be lost, and the usual try-read-first costs a read
// that always fails (the timer was just armed). Two system calls per wait, not three.
type timerFD struct {
	f      *os.File
	rc     syscall.RawConn
	spec   unix.ItimerSpec
	buf    [8]byte
	arming bool
	armErr syscall.Errno
	// Made once: a closure per wait would allocate.
	readFn func(fd uintptr) bool
}

func newTimerFD() (*timerFD, error) {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), "timerfd")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	t := &timerFD{f: f, rc: rc}
	t.readFn = t.read
	return t, nil
}

// read arms the timer on its first call of a wait and parks the caller; later calls consume
// the expiry count, false (not yet expired) parking the caller again.
func (t *timerFD) read(fd uintptr) bool {
	if t.arming {
		t.arming = false
		_, _, t.armErr = unix.RawSyscall6(unix.SYS_TIMERFD_SETTIME, fd, 0, uintptr(unsafe.Pointer(&t.spec)), 0, 0, 0)
		return t.armErr != 0
	}
	_, _, e := unix.RawSyscall(unix.SYS_READ, fd, uintptr(unsafe.Pointer(&t.buf[0])), uintptr(len(t.buf)))
	return e != unix.EAGAIN && e != unix.EINTR
}

// sleep waits d (> 0); an error means the timer was closed.
func (t *timerFD) sleep(d time.Duration) error {
	t.spec.Value = unix.NsecToTimespec(int64(d))
	t.arming, t.armErr = true, 0
	if err := t.rc.Read(t.readFn); err != nil {
		return err
	}
	if t.armErr != 0 {
		return t.armErr
	}
	return nil
}

func (t *timerFD) close() { t.f.Close() }
