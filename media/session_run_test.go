package media

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	"go.uber.org/goleak"
)

func TestSessionSRTPLoopback(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	clk := clock.Real{}
	ca, _ := ListenRTP(20000, 29999, loopback)
	cb, _ := ListenRTP(30000, 39999, loopback)
	ka, _ := NewSDESCrypto(1)
	kb, _ := NewSDESCrypto(1)
	f := Format{8000, 1}
	mk := func(c *net.UDPConn, remote *net.UDPConn, local, peer SDESCrypto, capture Capture) *Session {
		s, err := NewSession(SessionConfig{Conn: c, Remote: remote.LocalAddr().(*net.UDPAddr).AddrPort(), Codec: "PCMA", PayloadType: 8,
			DTMFPayloadType: 101, SRTP: &SRTPKeys{Profile: SRTPProfile, LocalKey: local.Key, RemoteKey: peer.Key}},
			capture, NewNull(f, clk), Options{Clock: clk})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a := mk(ca, cb, ka, kb, NewTone(1000, f, clk))
	b := mk(cb, ca, kb, ka, NewSilence(f, clk))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 2)
	go func() { done <- a.Run(ctx) }()
	go func() { done <- b.Run(ctx) }()
	a.SendDTMF('7')
	if got := digits(t, b, 1, 3*time.Second); got != "7" {
		t.Errorf("digit over SRTP: %q", got)
	}
	var st Stats
	for i := 0; i < 300; i++ { // up to 3 s on a loaded machine
		if st = b.Stats(); st.RecvLevel > -12 {
			break
		}
		<-time.After(10 * time.Millisecond) // real-clock sessions: poll the figures
	}
	if st.RecvLevel < -12 || st.Invalid != 0 {
		t.Errorf("tone over SRTP at %.1f dBFS, %d invalid", st.RecvLevel, st.Invalid)
	}
	cancel()
	for i := 0; i < 2; i++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	for _, s := range []*Session{a, b} {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
		if err := s.Close(); err != nil {
			t.Error(err)
		}
		if err := s.Run(context.Background()); !errors.Is(err, ErrClosed) {
			t.Errorf("Run after Close: %v", err)
		}
		if err := s.SendDTMF('1'); !errors.Is(err, ErrClosed) {
			t.Errorf("SendDTMF after Close: %v", err)
		}
	}
}

func TestSRTPWrongKeyDropped(t *testing.T) {
	ka, _ := NewSDESCrypto(1)
	kb, _ := NewSDESCrypto(1)
	r := newFrameRig(t, "PCMA", Format{8000, 1}, &SRTPKeys{LocalKey: ka.Key, RemoteKey: kb.Key})
	wrong, _ := newSRTPState(SRTPKeys{LocalKey: ka.Key, RemoteKey: ka.Key})
	b, _ := wrong.encryptRTP(make([]byte, 1500), pkt(8, 1, 160, 7, make([]byte, 160)))
	r.s.handlePacket(b, *r.s.remote.Load(), r.now)
	r.s.handlePacket(pkt(8, 2, 320, 7, make([]byte, 160)), *r.s.remote.Load(), r.now) // plain RTP
	if st := r.s.Stats(); st.Invalid != 2 || st.PacketsReceived != 0 {
		t.Errorf("%+v", st)
	}
}

func TestRTCPReportsRTT(t *testing.T) {
	a := newFrameRig(t, "PCMA", Format{8000, 1}, nil)
	b := newFrameRig(t, "PCMA", Format{8000, 1}, nil)
	if a.s.rtcp == nil || b.s.rtcp == nil {
		t.Skip("rtcp ports taken")
	}
	// Point the two sessions' RTCP at each other.
	a.s.rtcp.remote = b.s.rtcp.conn.LocalAddr().(*net.UDPAddr).AddrPort()
	b.s.rtcp.remote = a.s.rtcp.conn.LocalAddr().(*net.UDPAddr).AddrPort()
	// B has received A's stream (SSRC known); A has sent.
	b.s.handlePacket(pkt(8, 1, 160, a.s.tx.ssrc, make([]byte, 160)), *b.s.remote.Load(), b.now)
	a.s.sent.packets.Add(10)
	t0 := time.Unix(1e9, 0)
	read := func(r *frameRig, now time.Time) {
		buf := make([]byte, 1500)
		r.s.rtcp.conn.SetReadDeadline(time.Now().Add(2 * time.Second))
		n, from, err := r.s.rtcp.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatal(err)
		}
		r.s.rtcp.handle(buf[:n], from, now)
	}
	a.s.rtcp.send(t0)                             // SR from A
	read(b, t0.Add(10*time.Millisecond))          // B sees it 10 ms later
	b.s.rtcp.send(t0.Add(110 * time.Millisecond)) // B holds it 100 ms, reports
	read(a, t0.Add(120*time.Millisecond))         // A: RTT = 120 - 100 = 20 ms
	st := a.s.Stats()
	if d := st.RTT - 20*time.Millisecond; d < -time.Millisecond || d > time.Millisecond {
		t.Errorf("RTT %s, want 20ms", st.RTT)
	}
	ev := <-b.s.Events()
	if ev.Kind != EventStats {
		t.Errorf("B's event %v, want stats", ev.Kind)
	}
	_ = netip.AddrPort{}
}

// A WAV file does not block like a card: the session must pace playout itself, or it would
// write audio as fast as the disk takes it. The test waits for the fact (ten frames written)
// rather than counting what a fixed window held: on a loaded machine the process may not run
// at all for hundreds of milliseconds (measured: 200 ms - 1.5 s of runqueue wait in 300 ms).
// Pacing bounds it from above: at most one frame a period of the run, plus the catch-up the
// pacer allows after a lag (maxLag) and the first frame.
func TestSessionPacesUnpacedPlayback(t *testing.T) {
	f := Format{8000, 1}
	path := t.TempDir() + "/rx.wav"
	wav, err := CreateWAV(path, f)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := ListenRTP(40000, 49999, loopback)
	if err != nil {
		t.Fatal(err)
	}
	const want = 10
	sink := &countingSink{WAVSink: wav.(*WAVSink), want: want, reached: make(chan struct{})}
	s, err := NewSession(SessionConfig{Conn: conn, Remote: netip.MustParseAddrPort("127.0.0.1:9"), Codec: "PCMA", PayloadType: 8},
		NewSilence(f, clock.Real{}), sink, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	select {
	case <-sink.reached:
	case err := <-done:
		t.Fatalf("Run ended (%v) after %d frames", err, sink.n.Load())
	case <-time.After(30 * time.Second):
		t.Fatalf("%d frames in 30 s, want %d", sink.n.Load(), want)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	ran := time.Since(start)
	s.Close()
	wav.Close()
	c, err := OpenWAV(path, clock.Real{})
	if err != nil {
		t.Fatal(err)
	}
	frames := len(c.(*WAVSource).data) / 2 / 160
	limit := int(ran/(20*time.Millisecond)) + int(maxLag/(20*time.Millisecond)) + 1
	if frames < want || frames > limit {
		t.Errorf("recorded %d frames in %s of call, want %d to %d", frames, ran.Round(time.Millisecond), want, limit)
	}
}

// countingSink is an unpaced sink that says when it has taken want writes.
type countingSink struct {
	*WAVSink
	want    int64
	n       atomic.Int64
	reached chan struct{}
}

func (c *countingSink) Write(p []int16) (int, error) {
	n, err := c.WAVSink.Write(p)
	if c.n.Add(1) == c.want {
		close(c.reached)
	}
	return n, err
}

// instant is a device that never blocks and does not say so.
type instant struct{ f Format }

func (d instant) Format() Format               { return d.f }
func (d instant) Read(p []int16) (int, error)  { clear(p); return len(p) / d.f.Channels, nil }
func (d instant) Write(p []int16) (int, error) { return len(p) / d.f.Channels, nil }
func (d instant) Close() error                 { return nil }

// Devices that return at once must not turn the (real-time) loops into busy loops.
func TestSessionPacesSpinningDevices(t *testing.T) {
	f := Format{8000, 1}
	conn, err := ListenRTP(40000, 49999, loopback)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSession(SessionConfig{Conn: conn, Remote: netip.MustParseAddrPort("127.0.0.1:9"), Codec: "PCMA", PayloadType: 8},
		instant{f}, instant{f}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if err := s.Run(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()
	// 50 fast periods before the guard trips, then 25 a second.
	if st := s.Stats(); st.PacketsSent > spinLimit+40 || st.PacketsSent < spinLimit {
		t.Errorf("sent %d packets in 0.5 s from a device that never blocks", st.PacketsSent)
	}
}
