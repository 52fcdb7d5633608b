package media

import (
	"context"
	"math"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
)

var loopback = netip.MustParseAddr("127.0.0.1")

// pair starts two sessions on loopback, A playing a tone, B silence, both into Null devices.
type pair struct {
	a, b   *Session
	bOut   *toneSink // B's output
	cancel context.CancelFunc
	done   chan error
	t      *testing.T
}

func newPair(t *testing.T, codec string, rate int, dtmfPT uint8, devA, devB Format) *pair {
	t.Helper()
	clk := clock.Real{}
	ca, err := ListenRTP(20000, 29999, loopback)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := ListenRTP(30000, 39999, loopback)
	if err != nil {
		t.Fatal(err)
	}
	ra := ca.LocalAddr().(*net.UDPAddr).AddrPort()
	rb := cb.LocalAddr().(*net.UDPAddr).AddrPort()
	cfg := func(conn *net.UDPConn, remote netip.AddrPort) SessionConfig {
		return SessionConfig{Conn: conn, Remote: remote, Codec: codec, PayloadType: 8, ClockRate: rate,
			DTMFPayloadType: dtmfPT, Ptime: 20 * time.Millisecond, RTPTimeout: 5 * time.Second,
			RTPriority: 5, DSCP: 46} // SCHED_FIFO where permitted, else the logged fallback
	}
	a, err := NewSession(cfg(ca, rb), NewTone(1000, devA, clk), NewNull(devA, clk), Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	bOut := newToneSink(NewNull(devB, clk))
	b, err := NewSession(cfg(cb, ra), NewSilence(devB, clk), bOut, Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &pair{a: a, b: b, bOut: bOut, cancel: cancel, done: make(chan error, 2), t: t}
	go func() { p.done <- a.Run(ctx) }()
	go func() { p.done <- b.Run(ctx) }()
	t.Cleanup(p.stop)
	return p
}

// stop ends both sessions (registered as a cleanup) and checks they ended cleanly.
func (p *pair) stop() {
	p.cancel()
	for i := 0; i < 2; i++ {
		if err := <-p.done; err != nil {
			p.t.Errorf("Run: %v", err)
		}
	}
	p.a.Close()
	p.b.Close()
}

// digits collects DTMF events from s until want digits arrived or the deadline.
func digits(t *testing.T, s *Session, want int, d time.Duration) string {
	t.Helper()
	var got strings.Builder
	deadline := time.After(d)
	for got.Len() < want {
		select {
		case ev := <-s.Events():
			if ev.Kind == EventDTMF {
				got.WriteRune(ev.Digit)
			}
		case <-deadline:
			return got.String()
		}
	}
	return got.String()
}

func TestSessionLoopbackToneAndDTMF(t *testing.T) {
	tests := []struct {
		name       string
		codec      string
		rate       int
		dtmfPT     uint8
		devA, devB Format
	}{
		{"pcma rfc4733", "PCMA", 8000, 101, Format{8000, 1}, Format{8000, 1}},
		{"pcmu 48k stereo devices", "PCMU", 8000, 101, Format{48000, 2}, Format{48000, 1}},
		{"l16 16k", "L16", 16000, 101, Format{16000, 1}, Format{48000, 2}},
		{"g722 experimental", "G722", 8000, 101, Format{16000, 1}, Format{48000, 2}},
		{"pcma in-band dtmf", "PCMA", 8000, 0, Format{8000, 1}, Format{8000, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newPair(t, tc.codec, tc.rate, tc.dtmfPT, tc.devA, tc.devB)
			const keyed = "159#*0D"
			for _, d := range keyed {
				if err := p.a.SendDTMF(d); err != nil {
					t.Fatal(err)
				}
			}
			got := digits(t, p.b, len(keyed), 5*time.Second)
			if got != keyed {
				st := p.b.Stats()
				t.Errorf("B received digits %q, want %q (A sent %d; B counted %d, events lost %d, late %d, dropped %d)",
					got, keyed, p.a.Stats().DTMFSent, st.DTMFReceived, st.EventsLost, st.Late, st.Dropped)
			}
			// The tone follows the digits. B's RecvLevel is its last decoded frame, which
			// stays a digit (about -10.5 dBFS, in band) until B's output has played the
			// digits its jitter buffer holds: wait for the tone at B's output.
			p.bOut.arm()
			select {
			case <-p.bOut.Heard():
			case <-time.After(5 * time.Second):
				t.Fatalf("B's output did not return to the tone after the digits; B: %+v", p.b.Stats())
			}
			st := p.b.Stats()
			t.Logf("tone received at %.1f dBFS (sent %.1f); B: %d packets, jitter %s, lost %d, concealed %d",
				st.RecvLevel, p.a.Stats().SendLevel, st.PacketsReceived, st.Jitter, st.Lost, st.Concealed)
			if math.Abs(st.RecvLevel-(-9.03)) > 1.5 {
				t.Errorf("B receives the tone at %.1f dBFS, want about -9", st.RecvLevel)
			}
			if st.PacketsReceived < 10 || st.Invalid != 0 || st.Foreign != 0 || st.WrongSSRC != 0 {
				t.Errorf("B stats: %+v", st)
			}
			if !st.Latched {
				t.Errorf("B has not confirmed its remote after %d packets", st.PacketsReceived)
			}
		})
	}
}
