package media

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// setRealtime puts the calling OS thread (the caller has locked its goroutine to it) under
// SCHED_FIFO at prio. SCHED_RESET_ON_FORK keeps children of a helper exec from inheriting it.
// It needs CAP_SYS_NICE or an RLIMIT_RTPRIO (systemd LimitRTPRIO=) at least prio.
func setRealtime(prio int) error {
	attr := unix.SchedAttr{
		Size:     unix.SizeofSchedAttr,
		Policy:   unix.SCHED_FIFO,
		Flags:    unix.SCHED_FLAG_RESET_ON_FORK,
		Priority: uint32(prio),
	}
	if err := unix.SchedSetAttr(0, &attr, 0); err != nil {
		return fmt.Errorf("media: sched_setattr SCHED_FIFO %d: %w", prio, err)
	}
	return nil
}
