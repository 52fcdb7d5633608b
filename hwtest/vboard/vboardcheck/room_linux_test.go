package main

import (
	"math"
	"testing"
)

func TestRoomResponse(t *testing.T) {
	for _, rate := range []int{8000, 16000, 48000} {
		h := roomResponse(rate)
		var e float64
		for _, v := range h {
			e += v * v
		}
		if got := 10 * math.Log10(e); math.Abs(got-roomCouplingDB) > 0.01 {
			t.Errorf("%d Hz: coupling %.2f dB, want %d", rate, got, roomCouplingDB)
		}
		if want := 30*rate/1000 + 1; len(h) != want {
			t.Errorf("%d Hz: %d taps, want %d (30 ms)", rate, len(h), want)
		}
		if h[0] <= 0 || math.Abs(h[0]) < math.Abs(h[len(h)-1])*10 {
			t.Errorf("%d Hz: direct path %.3f, last tap %.3f: the tail must decay", rate, h[0], h[len(h)-1])
		}
	}
}

func TestNearGain(t *testing.T) {
	tests := []struct {
		t, want float64
	}{
		{0, 0},       // the resident speaks first
		{0.999, 0},   //
		{1.005, 0.5}, // ramp up
		{1.5, 1},     // talking
		{1.995, 0.5}, // ramp down
		{2.2, 0},     // pause
		{2.6, 1},     // next burst
	}
	for _, tt := range tests {
		if got := nearGain(tt.t); math.Abs(got-tt.want) > 1e-6 {
			t.Errorf("nearGain(%.3f) = %.3f, want %.3f", tt.t, got, tt.want)
		}
	}
}

func TestConvolve(t *testing.T) {
	ref := roomResponse(8000)
	span := len(ref)
	h := roomTaps(8000)
	var sum int32
	for _, g := range h {
		sum += max(g.g, -g.g)
	}
	if sum >= 16<<roomQ {
		t.Fatalf("sum of |taps| %d: a full-scale input could overflow 31 bits", sum)
	}
	// An impulse gives the taps back; a full-scale square wave neither overflows nor wraps.
	hist := make([]int32, 2*span-1)
	hist[span-1] = 1 << roomQ
	e := make([]int16, span)
	convolve(e, hist, h, span)
	for k, v := range ref {
		if want := int16(math.Round(v * (1 << roomQ))); e[k] != want {
			t.Fatalf("impulse response tap %d = %d, want %d", k, e[k], want)
		}
	}
	for i := range hist {
		hist[i] = 32767
		if i/20%2 == 1 {
			hist[i] = -32768
		}
	}
	convolve(e, hist, h, span)
	for i := range e {
		var want float64
		for k, g := range ref {
			want += g * float64(hist[span-1+i-k])
		}
		want = max(-32768, min(32767, want))
		// Each tap's rounding is worth half a step at full scale at most.
		if bound := float64(len(h)) * 32768 / (2 << roomQ); math.Abs(float64(e[i])-want) > bound+1 {
			t.Fatalf("sample %d = %d, want about %.0f", i, e[i], want)
		}
	}
}

// BenchmarkRoom is the room's cost per 20 ms period at 8 kHz: it shares the guest's one CPU
// with the intercom (under TCG on armhf, a slow one).
func BenchmarkRoom(b *testing.B) {
	const period = 160
	h, span := roomTaps(8000), len(roomResponse(8000))
	hist := make([]int32, span-1+period)
	e := make([]int16, period)
	b.ReportAllocs()
	for b.Loop() {
		convolve(e, hist, h, span)
	}
}
