package media

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	"golang.org/x/sys/unix"
)

// policyCapture reports the scheduling policy of the thread each Read returns on. Embedding
// the interface hides the wrapped device's ClockPaced, so it looks like a card.
type policyCapture struct {
	Capture
	policy chan uint32
}

func (c *policyCapture) Read(frames []int16) (int, error) {
	n, err := c.Capture.Read(frames)
	if a, aerr := unix.SchedGetAttr(0, 0); aerr == nil {
		select {
		case c.policy <- a.Policy:
		default:
		}
	}
	return n, err
}

// clockPolicyCapture is the same device declaring that it waits on the clock.
type clockPolicyCapture struct{ *policyCapture }

func (clockPolicyCapture) ClockPaced() bool { return true }

func TestRealtimeOnlyForCardPacedLoops(t *testing.T) {
	rt := canRealtime()
	clk := clock.Real{}
	f := Format{8000, 1}
	for _, tc := range []struct {
		name    string
		onClock bool
	}{{"card", false}, {"clock", true}} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := ListenRTP(20000, 29999, loopback)
			if err != nil {
				t.Fatal(err)
			}
			peer, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, 0)))
			if err != nil {
				t.Fatal(err)
			}
			defer peer.Close()
			pc := &policyCapture{Capture: NewSilence(f, clk), policy: make(chan uint32, 1)}
			var capture Capture = pc
			if tc.onClock {
				capture = clockPolicyCapture{pc}
			}
			s, err := NewSession(SessionConfig{Conn: conn, Remote: peer.LocalAddr().(*net.UDPAddr).AddrPort(),
				Codec: "PCMA", PayloadType: 8, RTPriority: 5}, capture, NewNull(f, clk), Options{Clock: clk})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- s.Run(ctx) }()
			var policy uint32
			select {
			case policy = <-pc.policy:
			case <-time.After(5 * time.Second): // real-clock session on a loaded machine
				t.Fatal("no capture period in 5 s")
			}
			cancel()
			if err := <-done; err != nil {
				t.Error(err)
			}
			want := uint32(unix.SCHED_NORMAL) // SCHED_OTHER
			if rt && !tc.onClock {
				want = unix.SCHED_FIFO
			}
			if policy != want {
				t.Errorf("send loop under policy %d, want %d (SCHED_FIFO permitted: %v)", policy, want, rt)
			}
		})
	}
}
