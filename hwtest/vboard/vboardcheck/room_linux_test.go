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
