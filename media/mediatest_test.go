package media_test

import (
	"context"
	"errors"
	"math"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/media"
	"github.com/doorsip/intercom/media/mediatest"
)

var errUnplugged = errors.New("unplugged")

// A device that fails ends Run with its error (the controller then hangs up or reopens).
func TestRunEndsOnDeviceError(t *testing.T) {
	f := media.Format{Rate: 8000, Channels: 1}
	tests := []struct {
		name string
		fail func(c *mediatest.Loop, p *mediatest.Recorder)
	}{
		{"capture", func(c *mediatest.Loop, _ *mediatest.Recorder) { c.FailAfter(3, errUnplugged) }},
		{"playback", func(_ *mediatest.Loop, p *mediatest.Recorder) { p.FailAfter(3, errUnplugged) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := media.ListenRTP(40000, 49999, netip.MustParseAddr("127.0.0.1"))
			if err != nil {
				t.Fatal(err)
			}
			capture := mediatest.NewLoop(f, []int16{1000, -1000}, clock.Real{})
			playback := mediatest.NewRecorder(f, clock.Real{}, 8000)
			tc.fail(capture, playback)
			s, err := media.NewSession(media.SessionConfig{Conn: conn, Remote: netip.MustParseAddrPort("127.0.0.1:9"), Codec: "PCMA", PayloadType: 8},
				capture, playback, media.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.Run(context.Background()); !errors.Is(err, errUnplugged) {
				t.Fatalf("Run = %v, want the device's error", err)
			}
		})
	}
}

// Two sessions over loopback, the far end recording: what the near end's capture holds
// arrives at the far end's playback (unpaced recorder: the session paces it).
func TestRecorderReceivesLoop(t *testing.T) {
	f := media.Format{Rate: 16000, Channels: 1}
	lo := netip.MustParseAddr("127.0.0.1")
	ca, _ := media.ListenRTP(20000, 29999, lo)
	cb, _ := media.ListenRTP(30000, 39999, lo)
	addr := func(c *net.UDPConn) netip.AddrPort { return c.LocalAddr().(*net.UDPAddr).AddrPort() }
	tone := make([]int16, 160) // 100 Hz at 16 kHz, a whole period
	for i := range tone {
		tone[i] = int16(8000 * math.Sin(2*math.Pi*float64(i)/160))
	}
	rec := mediatest.NewRecorder(f, nil, 1600)
	a, _ := media.NewSession(media.SessionConfig{Conn: ca, Remote: addr(cb), Codec: "L16", ClockRate: 16000, PayloadType: 96},
		mediatest.NewLoop(f, tone, clock.Real{}), mediatest.NewRecorder(f, clock.Real{}, 10), media.Options{})
	b, _ := media.NewSession(media.SessionConfig{Conn: cb, Remote: addr(ca), Codec: "L16", ClockRate: 16000, PayloadType: 96},
		mediatest.NewLoop(f, nil, clock.Real{}), rec, media.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 2)
	go func() { done <- a.Run(ctx) }()
	go func() { done <- b.Run(ctx) }()
	want := media.Level(tone)
	var got float64
	for i := 0; i < 200; i++ {
		if got = rec.Level(320); math.Abs(got-want) < 0.5 {
			break
		}
		<-time.After(10 * time.Millisecond) // real-clock sessions: poll the figures
	}
	cancel()
	<-done
	<-done
	a.Close()
	b.Close()
	if math.Abs(got-want) >= 0.5 {
		t.Errorf("recorded level %.1f dBFS, want %.1f", got, want)
	}
}
