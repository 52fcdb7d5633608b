package testpeer

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Test ports come from a band the kernel never hands out as an ephemeral port (Debian's
// ip_local_port_range is 32768-60999) and no test binds directly, so a port is only ever taken
// through this allocator. Each port has a lock file under the OS temp dir, flock'd while a
// test holds it: two go test processes on the machine, or two parallel tests in one, never
// get the same port, and a process that dies drops its locks with its descriptors.
const (
	bandLow  = 61000
	bandHigh = 65535
)

// portAllocator hands out runs of ports from [low, high]; start is where the search begins
// (random in use, fixed in the test that makes two processes contend).
type portAllocator struct {
	dir       string
	low, high int
	start     int
}

func newPortAllocator() portAllocator {
	return portAllocator{
		dir: filepath.Join(os.TempDir(), "intercom-testports"),
		low: bandLow, high: bandHigh,
		start: rand.IntN(bandHigh - bandLow + 1),
	}
}

// FreePort returns a port free for both UDP and TCP on 127.0.0.1, reserved for t until its
// cleanup.
func FreePort(t testing.TB) int {
	t.Helper()
	lo, _ := PortRange(t, 1)
	return lo
}

// FreePortPair returns a port p with p and p+1 reserved: baresip listens for TLS on its SIP
// port plus one.
func FreePortPair(t testing.TB) int {
	t.Helper()
	lo, _ := PortRange(t, 2)
	return lo
}

// RTPRange returns an RTP port range (media.rtp_ports) of 21 ports reserved for t: room for
// a few calls' even/odd pairs.
func RTPRange(t testing.TB) (lo, hi int) {
	t.Helper()
	return PortRange(t, 21)
}

// PortRange reserves n consecutive ports, free for UDP and TCP on 127.0.0.1 when taken, for
// t until its cleanup, and returns the first and the last.
func PortRange(t testing.TB, n int) (lo, hi int) {
	t.Helper()
	a := newPortAllocator()
	lo, release, err := a.take(n)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(release)
	return lo, lo + n - 1
}

// ReservePorts is PortRange for an owner without a testing.TB (a fuzz target's shared
// server): the ports stay reserved until release.
func ReservePorts(n int) (lo, hi int, release func(), err error) {
	lo, release, err = newPortAllocator().take(n)
	return lo, lo + n - 1, release, err
}

// take locks n consecutive ports and checks they can be bound; release drops the locks.
func (a portAllocator) take(n int) (lo int, release func(), err error) {
	if n < 1 || n > a.high-a.low+1 {
		return 0, nil, fmt.Errorf("testpeer: cannot reserve %d ports in %d-%d", n, a.low, a.high)
	}
	if err := ensureLockDir(a.dir); err != nil {
		return 0, nil, err
	}
	span := a.high - a.low + 1
	candidates := span - n + 1
	for i := 0; i < candidates; {
		p := a.low + (a.start+i)%candidates
		held, bad := a.lockRun(p, n)
		if bad < 0 {
			return p, func() { unlockAll(held) }, nil
		}
		// Skip past the port that was taken: no run that holds it can succeed.
		i += bad - p + 1
	}
	return 0, nil, fmt.Errorf("testpeer: no %d free ports in %d-%d", n, a.low, a.high)
}

// lockRun locks ports p..p+n-1 and checks each can be bound. On success it returns the locks
// and -1; otherwise it releases what it took and returns the first port that failed.
func (a portAllocator) lockRun(p, n int) ([]portLock, int) {
	held := make([]portLock, 0, n)
	for q := p; q < p+n; q++ {
		l, ok := lockPort(a.dir, q)
		if !ok {
			unlockAll(held)
			return nil, q
		}
		held = append(held, l)
		if !bindable(q) {
			unlockAll(held)
			return nil, q
		}
	}
	return held, -1
}

func unlockAll(held []portLock) {
	for _, l := range held {
		l.unlock()
	}
}

// bindable reports whether port is free on 127.0.0.1 for UDP and TCP right now.
func bindable(port int) bool {
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		return false
	}
	defer pc.Close()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// waitSIP sends OPTIONS over UDP to addr until something answers or d passes.
func waitSIP(addr string, d time.Duration) error {
	deadline := time.Now().Add(d)
	c, err := net.Dial("udp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	local := c.LocalAddr().String()
	msg := "OPTIONS sip:" + addr + " SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP " + local + ";branch=z9hG4bK-probe" + fmt.Sprint(time.Now().UnixNano()) + "\r\n" +
		"Max-Forwards: 70\r\nFrom: <sip:probe@" + local + ">;tag=probe\r\nTo: <sip:" + addr + ">\r\n" +
		"Call-ID: probe-" + fmt.Sprint(time.Now().UnixNano()) + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
	buf := make([]byte, 4096)
	for time.Now().Before(deadline) {
		// A probe that arrives before the peer has bound its port comes back as ICMP port
		// unreachable, which the connected socket reports as ECONNREFUSED on its next write
		// or read: the peer is not up yet, so probe again.
		if _, err := c.Write([]byte(msg)); err != nil && !errors.Is(err, syscall.ECONNREFUSED) {
			return err
		}
		_ = c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		n, err := c.Read(buf)
		if err == nil && n > 0 {
			return nil
		}
		if errors.Is(err, syscall.ECONNREFUSED) {
			// Refused at once: pace the probes rather than spin until the peer binds.
			time.Sleep(20 * time.Millisecond)
		}
	}
	return fmt.Errorf("testpeer: no SIP answer from %s within %s", addr, d)
}

// SippMediaPort returns a port for sipp's -mp, reserved for t with the two above it: sipp
// binds the port and the port plus two (its video echo), and exits when the second is taken.
func SippMediaPort(t testing.TB) int {
	t.Helper()
	lo, _ := PortRange(t, 3)
	return lo
}
