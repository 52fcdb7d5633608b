package media

import (
	"testing"
	"time"

	"github.com/pion/rtp"
)

func TestDTMFFrames(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		tone, gap, ptime  time.Duration
		wantTone, wantGap int
	}{
		{0, 0, 20 * ms, 3, 2},
		{100 * ms, 100 * ms, 20 * ms, 5, 5},
		{250 * ms, 500 * ms, 20 * ms, 13, 25},
		{45 * ms, 20 * ms, 30 * ms, 2, 1},
		{5 * time.Second, 5 * time.Second, 20 * ms, 100, 100},
	}
	for _, tt := range tests {
		tone, gap := dtmfFrames(tt.tone, tt.gap, tt.ptime)
		if tone != tt.wantTone || gap != tt.wantGap {
			t.Errorf("dtmfFrames(%s, %s, %s) = %d, %d, want %d, %d", tt.tone, tt.gap, tt.ptime, tone, gap, tt.wantTone, tt.wantGap)
		}
	}
}

// TestDTMFSendDurationAndGap: with dtmf_duration 200 ms and dtmf_gap 500 ms, "12" goes out
// as ten event packets (plus two repeated end packets) per digit, 25 audio packets apart.
func TestDTMFSendDurationAndGap(t *testing.T) {
	r := newFrameRig(t, "PCMA", Format{8000, 1}, nil)
	r.s.tx.toneFrames, r.s.tx.gapFrames = dtmfFrames(200*time.Millisecond, 500*time.Millisecond, 20*time.Millisecond)
	for _, d := range "12" {
		if err := r.s.SendDTMF(d); err != nil {
			t.Fatal(err)
		}
	}
	var kinds []byte // 'e' event packet, 'a' audio packet, in order
	buf := make([]byte, 1500)
	var h rtp.Header
	for range 60 {
		r.sendStep()
	}
	// Every packet is on the loopback socket by now; read exactly as many as were sent.
	sent := r.s.Stats().PacketsSent
	r.peer.SetReadDeadline(time.Now().Add(10 * time.Second))
	for range sent {
		n, _, err := r.peer.ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.Unmarshal(buf[:n]); err != nil {
			t.Fatal(err)
		}
		if h.PayloadType == 101 {
			kinds = append(kinds, 'e')
		} else {
			kinds = append(kinds, 'a')
		}
	}
	want := string(repeat('e', 12)) + string(repeat('a', 25)) + string(repeat('e', 12))
	if len(kinds) < len(want) || string(kinds[:len(want)]) != want {
		t.Errorf("packets %s\nwant    %s...", kinds, want)
	}
}

func repeat(c byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = c
	}
	return b
}
