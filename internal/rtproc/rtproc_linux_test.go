package rtproc

import (
	"errors"
	"runtime"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// policies lists each thread's policy.
func policies(t *testing.T) map[int]Policy {
	t.Helper()
	tids, err := threads()
	if err != nil {
		t.Fatal(err)
	}
	m := make(map[int]Policy, len(tids))
	for _, tid := range tids {
		if p, err := get(tid); err == nil {
			m[tid] = p
		}
	}
	return m
}

// newThreads makes the runtime start n more threads: goroutines locked to their threads
// hold them until release is closed, so each further one needs a new thread.
func newThreads(n int) (release func()) {
	stop := make(chan struct{})
	var started, done sync.WaitGroup
	for range n {
		started.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			runtime.LockOSThread()
			started.Done()
			<-stop
			// Not unlocked: the thread exits with the goroutine rather than go back to the
			// pool with whatever policy the test left on it.
		}()
	}
	started.Wait()
	return func() { close(stop); done.Wait() }
}

func TestSetAllRealTimeAndBack(t *testing.T) {
	if p, err := Started(); err != nil || p.RealTime() {
		t.Skipf("the test process runs under %v (%v): run it under normal scheduling", p, err)
	}
	fifo := Policy{Kind: FIFO, Priority: 1}
	if err := SetAll(fifo); err != nil {
		if errors.Is(err, unix.EPERM) {
			t.Skip("SCHED_FIFO not permitted (needs CAP_SYS_NICE or RLIMIT_RTPRIO)")
		}
		t.Fatal(err)
	}
	defer SetAll(Policy{})
	for tid, p := range policies(t) {
		if p != fifo {
			t.Errorf("thread %d under %v after SetAll(%v)", tid, p, fifo)
		}
	}
	// Threads the runtime starts afterwards inherit it: no reset-on-fork.
	release := newThreads(3)
	for tid, p := range policies(t) {
		if p != fifo {
			t.Errorf("thread %d started after SetAll under %v, want %v", tid, p, fifo)
		}
	}
	release()
	if err := SetAll(Policy{}); err != nil {
		t.Fatal(err)
	}
	for tid, p := range policies(t) {
		if p.RealTime() {
			t.Errorf("thread %d still under %v after SetAll(normal)", tid, p)
		}
	}
}

func TestSetAllKeepsHigherRealTimeThread(t *testing.T) {
	if p, err := Started(); err != nil || p.RealTime() {
		t.Skipf("the test process runs under %v (%v): run it under normal scheduling", p, err)
	}
	// A media loop raises its own locked thread; going real-time must not lower it.
	ready, stop, done := make(chan int), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread() // the thread exits with the goroutine
		attr := unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: uint32(FIFO), Priority: 3}
		if err := unix.SchedSetAttr(0, &attr, 0); err != nil {
			ready <- -1
			return
		}
		ready <- unix.Gettid()
		<-stop
	}()
	tid := <-ready
	if tid < 0 {
		t.Skip("SCHED_FIFO not permitted (needs CAP_SYS_NICE or RLIMIT_RTPRIO)")
	}
	defer func() { close(stop); <-done; SetAll(Policy{}) }()
	if err := SetAll(Policy{Kind: FIFO, Priority: 1}); err != nil {
		t.Fatal(err)
	}
	if p, _ := get(tid); p != (Policy{Kind: FIFO, Priority: 3}) {
		t.Errorf("the loop's thread under %v, want SCHED_FIFO 3 kept", p)
	}
}

func TestPolicyString(t *testing.T) {
	for _, tt := range []struct {
		p    Policy
		want string
	}{{Policy{}, "normal"}, {Policy{Kind: FIFO, Priority: 10}, "SCHED_FIFO 10"}, {Policy{Kind: RR, Priority: 5}, "SCHED_RR 5"}} {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%#v: %q, want %q", tt.p, got, tt.want)
		}
	}
}
