package main

import (
	"encoding/binary"
	"math"
	"net/netip"
	"testing"
	"time"

	"github.com/doorsip/intercom/hwtest/internal/tone"
	"github.com/zaf/g711"
)

// pcmaOf encodes pcm as 20 ms PCMA packets of one SSRC.
func pcmaOf(pcm []int16, ssrc uint32) [][]byte {
	var out [][]byte
	for i := 0; i+160 <= len(pcm); i += 160 {
		enc := make([]byte, 160)
		for j := range enc {
			enc[j] = g711.EncodeAlawFrame(pcm[i+j])
		}
		p := rtpOf(8, uint16(i/160), uint32(i), enc)
		binary.BigEndian.PutUint32(p[8:], ssrc)
		out = append(out, p)
	}
	return out
}

func TestRTPFlows(t *testing.T) {
	a := make([]int16, 8000)
	tone.Sine(a, 8000, 1000, 8000, 0)
	// Two calls between the same ports, told apart by their SSRC; the second is longer.
	payloads := append(pcmaOf(a[:4000], 1), pcmaOf(a, 2)...)
	udp, err := parsePcap(pcapOf([4]byte{10, 0, 2, 15}, [4]byte{127, 0, 0, 1}, 6000, payloads...))
	if err != nil {
		t.Fatal(err)
	}
	flows := rtpFlows(udp, netip.MustParseAddr("127.0.0.1"))
	if len(flows) != 2 || flows[0].ssrc != 1 || flows[1].ssrc != 2 {
		t.Fatalf("flows %+v, want SSRC 1 then 2", flows)
	}
	tests := []struct {
		nth     int
		ssrc    uint32
		wantErr bool
	}{
		{0, 2, false}, // the busiest
		{1, 1, false},
		{2, 2, false},
		{3, 0, true},
		{-1, 0, true},
	}
	for _, tt := range tests {
		f, err := pickFlow(flows, tt.nth)
		if (err != nil) != tt.wantErr || (err == nil && f.ssrc != tt.ssrc) {
			t.Errorf("pickFlow(%d) = %+v, %v; want SSRC %d, error %t", tt.nth, f, err, tt.ssrc, tt.wantErr)
		}
	}
	if len(rtpFlows(udp, netip.MustParseAddr("10.0.2.15"))) != 0 {
		t.Error("streams from an address counted as streams toward it")
	}
}

func TestScoreEcho(t *testing.T) {
	const rate = 8000
	// A reference call: the near end's tone steady at amplitude 10000.
	ref := make([]int16, 4*rate)
	tone.Sine(ref, rate, 1000, 10000, 0)
	near := make([]int16, 8*rate)
	tone.Sine(near, rate, 1013, 10000, 0)
	// build: the far tone's residual at amplitude amp until converge, then conv; the near end
	// in bursts of 1 s every 1.5 s, scaled by nearScale.
	build := func(amp, conv float64, converge time.Duration, nearScale float64) []int16 {
		x := make([]int16, 8*rate)
		at := int(converge.Seconds() * rate)
		for i := range x {
			a := amp
			if i >= at {
				a = conv
			}
			v := a * math.Sin(2*math.Pi*400*float64(i)/rate)
			// 10 ms ramps, as the guest's room has: a hard edge would splash the
			// near tone into the far tone's bin.
			p := math.Mod(float64(i)/rate, 1.5)
			v += nearScale * float64(near[i]) * max(0, min(1, p/0.01, (1-p)/0.01))
			x[i] = int16(v)
		}
		return x
	}
	// The echo the room put in: -20 dBFS.
	const echoIn = -20.0
	tests := []struct {
		name       string
		room       []int16
		lossMin    float64
		nearChange float64
		reached    time.Duration
		gap        bool // a second of packets missing in the scored part
		holes      bool // 100 ms of silence in three bursts (a stalled guest's capture)
	}{
		{"converged after 2 s, near end kept", build(3277, 30, 2*time.Second, 1), 40, 0, 2 * time.Second, false, false},
		{"never converged", build(200, 200, 0, 1), 24, 0, -time.Second, false, false},
		{"near end attenuated 8 dB", build(3277, 3, time.Second, 0.4), 60, -8, time.Second, false, false},
		{"packets missing: left out", build(3277, 30, 2*time.Second, 1), 40, 0, 2 * time.Second, true, false},
		{"holes in three bursts", build(3277, 30, 2*time.Second, 1), 40, 0, 2 * time.Second, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := make([]bool, len(tt.room))
			for i := range got {
				got[i] = true
			}
			if tt.holes {
				for _, at := range []float64{4.7, 6.3, 7.6} {
					clear(tt.room[int(at*rate):int((at+0.1)*rate)])
				}
			}
			if tt.gap {
				for i := 5 * rate; i < 6*rate; i++ {
					tt.room[i], got[i] = 0, false
				}
			}
			s := scoreEcho(tt.room, got, ref, 400, 1013, 1000, echoIn, 40, 4*rate)
			if s.loss < tt.lossMin || s.loss > tt.lossMin+3 {
				t.Errorf("loss %.1f dB, want %.1f to %.1f", s.loss, tt.lossMin, tt.lossMin+3)
			}
			if math.Abs(s.nearChange-tt.nearChange) > 0.5 {
				t.Errorf("near change %.1f dB, want %.1f", s.nearChange, tt.nearChange)
			}
			if d := s.reached - tt.reached; d < -250*time.Millisecond || d > 250*time.Millisecond {
				t.Errorf("40 dB reached after %v, want about %v", s.reached, tt.reached)
			}
			if (s.gapWindows > 0) != tt.gap {
				t.Errorf("%d windows with a gap left out, want some: %t", s.gapWindows, tt.gap)
			}
			if s.windows == 0 || s.nearWindows == 0 || s.nearWindows >= s.windows {
				t.Errorf("windows %d, near windows %d: the near end's pauses must count for the echo only", s.windows, s.nearWindows)
			}
		})
	}
}
