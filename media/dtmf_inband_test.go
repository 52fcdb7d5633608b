package media

import (
	"context"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	"github.com/pion/rtp"
)

// TestInBandDTMFWithoutPlayout: in-band digits are recognised from the packets as they
// arrive, whether or not the playout has played them yet. The session's clock is a fake
// that never moves, so its playout never plays a frame (as a playout stalled on a loaded
// machine, whose jitter buffer would conceal and then drop the late packets); every packet
// arrives, and every digit is reported, in order.
func TestInBandDTMFWithoutPlayout(t *testing.T) {
	fk := clock.NewFake(time.Unix(1000, 0))
	conn, peer := rtpPeer(t, 30000, 39999)
	f := Format{8000, 1}
	s, err := NewSession(SessionConfig{Conn: conn, Remote: addrPort(peer), Codec: "PCMA",
		PayloadType: 8, ClockRate: 8000, Ptime: 20 * time.Millisecond},
		NewSilence(f, fk), NewNull(f, fk), Options{Clock: fk})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	defer func() {
		// The loops wait on the fake clock: move it until they have seen the cancel.
		cancel()
		for {
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
				s.Close()
				return
			default:
				fk.Advance(20 * time.Millisecond)
				runtime.Gosched()
			}
		}
	}()

	const keyed = "159#*0D"
	pcm, payload, buf := make([]int16, 160), make([]byte, 160), make([]byte, 200)
	seq := uint16(0)
	for _, d := range keyed {
		ev, err := DigitEvent(d)
		if err != nil {
			t.Fatal(err)
		}
		for frame := range 6 { // 60 ms of tone, 60 ms of silence
			clear(pcm)
			if frame < 3 {
				dtmfTone(pcm, ev, 8000, frame*160)
			}
			alaw{}.Encode(payload, pcm)
			h := rtp.Header{Version: 2, PayloadType: 8, SequenceNumber: seq, Timestamp: uint32(seq) * 160, SSRC: 7}
			n, err := h.MarshalTo(buf)
			if err != nil {
				t.Fatal(err)
			}
			n += copy(buf[n:], payload)
			if _, err := peer.WriteToUDP(buf[:n], conn.LocalAddr().(*net.UDPAddr)); err != nil {
				t.Fatal(err)
			}
			seq++
		}
	}
	if got := digits(t, s, len(keyed), 10*time.Second); got != keyed {
		t.Errorf("digits %q, want %q", got, keyed)
	}
}
