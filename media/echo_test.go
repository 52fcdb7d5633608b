package media_test

import (
	"context"
	"math"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/media"
	"github.com/doorsip/intercom/media/mediatest"
)

// TestEchoRoundTrip is the SimpleEcho measurement: A sends a tone burst to B, B loops what it
// plays back into what it sends, A records; the burst's onset in A's recording, minus its
// onset in A's capture, is the call's mouth-to-ear round trip.
func TestEchoRoundTrip(t *testing.T) {
	f := media.Format{Rate: 8000, Channels: 1}
	clk := clock.Real{}
	lo := netip.MustParseAddr("127.0.0.1")
	ca, err := media.ListenRTP(20000, 29999, lo)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := media.ListenRTP(30000, 39999, lo)
	if err != nil {
		t.Fatal(err)
	}
	addr := func(c *net.UDPConn) netip.AddrPort { return c.LocalAddr().(*net.UDPAddr).AddrPort() }

	// 100 ms burst at the start of every 1.2 s (9600 samples).
	const period, onset = 9600, 800
	burst := make([]int16, period)
	for i := onset; i < onset+800; i++ {
		burst[i] = int16(10000 * math.Sin(2*math.Pi*1000*float64(i)/8000))
	}

	rec := mediatest.NewRecorder(f, clk, 3*period)
	a, err := media.NewSession(media.SessionConfig{Conn: ca, Remote: addr(cb), Codec: "PCMU"},
		mediatest.NewLoop(f, burst, clk), rec, media.Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	echoIn, echoOut := media.NewEcho(f, clk)
	b, err := media.NewSession(media.SessionConfig{Conn: cb, Remote: addr(ca), Codec: "PCMU"},
		echoIn, echoOut, media.Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 2)
	go func() { done <- a.Run(ctx) }()
	go func() { done <- b.Run(ctx) }()
	// Real time: wait until the burst is back (or 3 s), checking every 100 ms.
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); {
		<-time.After(100 * time.Millisecond)
		if rec.Level(400) > -20 {
			<-time.After(100 * time.Millisecond)
			break
		}
	}
	cancel()
	<-done
	<-done
	a.Close()
	b.Close()
	echoIn.Close()
	echoOut.Close()

	s := rec.Samples()
	// The recorder and the capture started within a period of each other at Run.
	for i := 0; i+80 <= len(s); i += 80 {
		if media.Level(s[i:i+80]) > -20 {
			rt := time.Duration(i-onset) * time.Second / 8000
			t.Logf("echo round trip %s (two jitter buffers, the echo's period, device pacing)", rt)
			if rt < 0 || rt > 400*time.Millisecond {
				t.Errorf("round trip %s, want 0 < rt <= 400ms", rt)
			}
			return
		}
	}
	t.Fatalf("burst never came back (%d samples recorded)", len(s))
}
