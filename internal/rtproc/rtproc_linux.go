package rtproc

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// Started returns the policy the process was started with: its main thread's (tid = pid),
// where systemd's CPUSchedulingPolicy= or chrt put it, whichever thread asks.
func Started() (Policy, error) {
	return get(os.Getpid())
}

func get(tid int) (Policy, error) {
	a, err := unix.SchedGetAttr(tid, 0)
	if err != nil {
		return Policy{}, fmt.Errorf("rtproc: sched_getattr %d: %w", tid, err)
	}
	switch k := Kind(a.Policy); k {
	case FIFO, RR:
		return Policy{Kind: k, Priority: int(a.Priority)}, nil
	}
	return Policy{}, nil
}

// SetAll puts every thread of the process under p. Going real-time, a thread already under a
// real-time policy keeps it (a media loop at its own higher priority); going normal, only
// threads under a real-time policy are changed. Threads started meanwhile are found by
// listing again until a pass changes nothing. Without SCHED_RESET_ON_FORK, so that threads
// the runtime starts later inherit the policy; the intercom starts no other programs.
func SetAll(p Policy) error {
	attr := unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: uint32(p.Kind), Priority: uint32(p.Priority)}
	if !p.RealTime() {
		attr.Policy, attr.Priority = uint32(Normal), 0
	}
	for range 5 {
		tids, err := threads()
		if err != nil {
			return err
		}
		changed := false
		for _, tid := range tids {
			cur, err := get(tid)
			if err != nil {
				continue // exited meanwhile
			}
			if cur.RealTime() == p.RealTime() {
				continue
			}
			if err := unix.SchedSetAttr(tid, &attr, 0); err != nil {
				if errors.Is(err, unix.ESRCH) {
					continue
				}
				return fmt.Errorf("rtproc: sched_setattr %d %s: %w", tid, p, err)
			}
			changed = true
		}
		if !changed {
			return nil
		}
	}
	return nil
}

func threads() ([]int, error) {
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return nil, fmt.Errorf("rtproc: %w", err)
	}
	tids := make([]int, 0, len(ents))
	for _, e := range ents {
		if tid, err := strconv.Atoi(e.Name()); err == nil {
			tids = append(tids, tid)
		}
	}
	return tids, nil
}
