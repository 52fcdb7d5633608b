package media

import (
	"context"
	"net"
	"runtime"
	"slices"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/doorsip/intercom/internal/clock"
)

// BenchmarkCallCPU runs one call on loopback between two Sessions with the software devices
// the bench and the demo use (a tone in, playback discarded), on the real clock, for b.N
// frame periods of 20 ms (-benchtime=1500x is 30 s). ns/op is therefore about 20 ms; the
// figures are the custom metrics:
//
//	cpu-%/session  CPU time of the whole process (getrusage) per session and wall second
//	cpu-us/frame   the same per session and 20 ms period
//	csw/frame      context switches of the process (voluntary and not) per session and period:
//	               each is a thread going to sleep or being woken
//	jit-p50/p99/max-us  how far the intervals between one send loop's frames are from 20 ms
//
// rt0 runs the loops as plain goroutines, rt40 at SCHED_FIFO 40 as a board's config does
// (which skips it for these clock-paced devices), rt40-cardsend as if one side's capture were
// a card, or a wrapper that does not pass ClockPaced on: that send loop is locked under
// SCHED_FIFO (skipped without CAP_SYS_NICE). rt40-syscallcards gives both sessions devices
// that block in a system call for each period, as the ALSA binding's READI/WRITEI ioctls do
// on a card: separate send and playout loops, each locked under SCHED_FIFO 40. Nothing is
// asserted: the machine's load decides.
func BenchmarkCallCPU(b *testing.B) {
	for _, tc := range []struct {
		name string
		rt   int
		dev  benchDevices
	}{{"rt0", 0, softDevices}, {"rt40", 40, softDevices}, {"rt40-cardsend", 40, cardSend},
		{"rt0-syscallcards", 0, syscallCards}, {"rt40-syscallcards", 40, syscallCards},
		{"rt0-pollcards", 0, pollCards}, {"rt40-pollcards", 40, pollCards}} {
		b.Run(tc.name, func(b *testing.B) {
			if tc.rt > 0 && !canRealtime() {
				b.Skip("SCHED_FIFO not permitted (needs CAP_SYS_NICE or RLIMIT_RTPRIO)")
			}
			benchCall(b, tc.rt, tc.dev)
		})
	}
}

type benchDevices int

const (
	softDevices  benchDevices = iota // a tone in, NewNull out: both wait on the clock
	cardSend                         // one side's capture pretends to be a card
	syscallCards                     // both sides' devices block in clock_nanosleep
	pollCards                        // both sides' devices wait in the netpoller, not ClockPaced
)

// pollCard stands in for a card whose transfers wait in Go's netpoller (a non-blocking PCM
// descriptor, as a pacer's timerfd): a pacer on the real clock that does not say ClockPaced.
type pollCard struct {
	f Format
	p *pacer
}

func (c *pollCard) Format() Format { return c.f }
func (c *pollCard) Close() error   { c.p.close(); return nil }

func (c *pollCard) Read(b []int16) (int, error) {
	clear(b)
	return len(b) / c.f.Channels, c.p.wait(len(b) / c.f.Channels)
}

func (c *pollCard) Write(b []int16) (int, error) {
	return len(b) / c.f.Channels, c.p.wait(len(b) / c.f.Channels)
}

// syscallCard stands in for an ALSA card: each Read or Write returns at the end of its
// period after blocking in an ordinary (entersyscall) clock_nanosleep until then, the way
// the binding blocks in its READI/WRITEI ioctl. It says nothing of ClockPaced, as a card
// does not.
type syscallCard struct {
	f    Format
	next int64 // CLOCK_MONOTONIC ns of the current period's end
}

func (c *syscallCard) Format() Format { return c.f }
func (c *syscallCard) Close() error   { return nil }

func (c *syscallCard) wait(frames int) (int, error) {
	var ts unix.Timespec
	if c.next == 0 {
		if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
			return 0, err
		}
		c.next = ts.Nano()
	}
	c.next += int64(frames) * int64(time.Second) / int64(c.f.Rate)
	ts = unix.NsecToTimespec(c.next)
	for {
		_, _, e := unix.Syscall6(unix.SYS_CLOCK_NANOSLEEP, unix.CLOCK_MONOTONIC, unix.TIMER_ABSTIME,
			uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
		if e != unix.EINTR {
			return frames, nil
		}
	}
}

func (c *syscallCard) Read(b []int16) (int, error) {
	clear(b)
	return c.wait(len(b) / c.f.Channels)
}

func (c *syscallCard) Write(b []int16) (int, error) { return c.wait(len(b) / c.f.Channels) }

// canRealtime tries SCHED_FIFO on a throwaway thread: the goroutine ends locked, so the
// thread exits with it rather than returning to the pool at a real-time policy.
func canRealtime() bool {
	ok := make(chan bool)
	go func() {
		runtime.LockOSThread()
		ok <- setRealtime(1) == nil
	}()
	return <-ok
}

// stampedCapture records when each Read returned: the moment the send loop starts its frame.
type stampedCapture struct {
	Capture
	clk  clock.Clock
	at   []time.Time // preallocated; full means stop recording, never grow
	card bool        // pretend to be a card
}

// ClockPaced passes on what the wrapped device says, as a wrapper should.
func (c *stampedCapture) ClockPaced() bool { return !c.card && ClockPaced(c.Capture) }

func (c *stampedCapture) Read(frames []int16) (int, error) {
	n, err := c.Capture.Read(frames)
	if len(c.at) < cap(c.at) {
		c.at = append(c.at, c.clk.Now())
	}
	return n, err
}

func benchCall(b *testing.B, rt int, devs benchDevices) {
	const ptime = 20 * time.Millisecond
	const warmup = 25 // periods before measuring: sockets latched, jitter buffers playing
	clk := clock.Real{}
	f := Format{8000, 1}
	ca, err := ListenRTP(20000, 29999, loopback)
	if err != nil {
		b.Fatal(err)
	}
	cb, err := ListenRTP(30000, 39999, loopback)
	if err != nil {
		b.Fatal(err)
	}
	capA, capB := NewTone(1000, f, clk), NewTone(440, f, clk)
	playback := func() Playback { return NewNull(f, clk) }
	switch devs {
	case syscallCards:
		capA, capB = &syscallCard{f: f}, &syscallCard{f: f}
		playback = func() Playback { return &syscallCard{f: f} }
	case pollCards:
		capA, capB = &pollCard{f, newPacer(clk, f.Rate)}, &pollCard{f, newPacer(clk, f.Rate)}
		playback = func() Playback { return &pollCard{f, newPacer(clk, f.Rate)} }
	}
	stamps := &stampedCapture{Capture: capA, clk: clk, at: make([]time.Time, 0, b.N+2*warmup), card: devs == cardSend}
	mk := func(c, remote *net.UDPConn, capture Capture) *Session {
		s, err := NewSession(SessionConfig{Conn: c, Remote: remote.LocalAddr().(*net.UDPAddr).AddrPort(),
			Codec: "PCMA", PayloadType: 8, DTMFPayloadType: 101, RTPriority: rt},
			capture, playback(), Options{Clock: clk})
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	sa, sb := mk(ca, cb, stamps), mk(cb, ca, capB)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 2)
	go func() { done <- sa.Run(ctx) }()
	// Half a period apart, as two devices with their own clocks would be: the peer's packets
	// then arrive between this side's frames rather than with them.
	time.Sleep(ptime / 2)
	go func() { done <- sb.Run(ctx) }()

	time.Sleep(warmup * ptime)
	first := len(stamps.at)
	b.ResetTimer()
	r0, t0 := usage(b), time.Now()
	time.Sleep(time.Duration(b.N) * ptime)
	r1, t1 := usage(b), time.Now()
	last := len(stamps.at)
	b.StopTimer()
	cancel()
	for range 2 {
		if err := <-done; err != nil {
			b.Error(err)
		}
	}
	sa.Close()
	sb.Close()

	cpu, wall := cpuTime(r1)-cpuTime(r0), t1.Sub(t0)
	frames := 2 * wall.Seconds() / ptime.Seconds() // of both sessions
	b.ReportMetric(100*cpu.Seconds()/wall.Seconds()/2, "cpu-%/session")
	b.ReportMetric(float64(cpu.Microseconds())/frames, "cpu-us/frame")
	b.ReportMetric(float64(r1.Nvcsw+r1.Nivcsw-r0.Nvcsw-r0.Nivcsw)/frames, "csw/frame")
	var dev []float64
	for i := first + 1; i < last; i++ {
		d := stamps.at[i].Sub(stamps.at[i-1]) - ptime
		dev = append(dev, float64(d.Abs().Microseconds()))
	}
	if len(dev) == 0 {
		return
	}
	slices.Sort(dev)
	pct := func(p float64) float64 { return dev[min(len(dev)-1, int(p*float64(len(dev))))] }
	b.ReportMetric(pct(0.5), "jit-p50-us")
	b.ReportMetric(pct(0.99), "jit-p99-us")
	b.ReportMetric(dev[len(dev)-1], "jit-max-us")
}

// usage is what the process has used so far.
func usage(tb testing.TB) syscall.Rusage {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return ru
}

func cpuTime(ru syscall.Rusage) time.Duration {
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
