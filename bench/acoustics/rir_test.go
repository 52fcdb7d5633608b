package main

import (
	"math"
	"testing"
)

func TestImageRIR(t *testing.T) {
	tests := []struct {
		name     string
		r        room
		src, mic vec3
		rate     int
	}{
		{"box 16k", room{vec3{1.8, 1.5, 2.4}, 0.3}, vec3{0.9, 0.2, 1.5}, vec3{0.9, 0.25, 1.45}, 16000},
		{"porch 16k", room{vec3{3.5, 2.5, 2.8}, 0.6}, vec3{1.0, 0.2, 1.5}, vec3{1.05, 0.2, 1.6}, 16000},
		{"box 8k", room{vec3{2.0, 1.6, 2.4}, 0.2}, vec3{0.5, 0.3, 1.5}, vec3{1.5, 1.2, 1.2}, 8000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := imageRIR(tc.r, tc.src, tc.mic, tc.rate, 1.5*tc.r.rt60)
			// The response starts with the direct path: its first strong tap (a reflection
			// can pile up louder later) is where sound takes distance/c to arrive, with
			// 1/(4 pi d) gain.
			var peak float64
			for _, v := range h {
				peak = math.Max(peak, math.Abs(v))
			}
			want := directDelay(tc.src, tc.mic, tc.rate)
			first := 0
			for math.Abs(h[first]) < 0.3*peak {
				first++
			}
			if math.Abs(float64(first)-want) > 1 {
				t.Errorf("first strong tap at %d, direct path at %.2f samples", first, want)
			}
			for i := 0; i < int(want)-4; i++ {
				if math.Abs(h[i]) > 1e-3*peak {
					t.Fatalf("tap %d (%.3g) before the direct path at %.2f", i, h[i], want)
				}
			}
			got := rt60Schroeder(h, tc.rate)
			t.Logf("direct path %.2f samples, RT60 %.3f s", want, got)
			if math.Abs(got-tc.r.rt60) > 0.15*tc.r.rt60 {
				t.Errorf("RT60 %.3f s, asked %.3f s", got, tc.r.rt60)
			}
		})
	}
}

func TestConvolve(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5}
	h := []float64{0.5, 0, -1}
	got := convolve(x, h)
	want := make([]float64, len(x)+len(h)-1)
	for i := range x {
		for j := range h {
			want[i+j] += x[i] * h[j]
		}
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-9 {
			t.Fatalf("convolve = %v, want %v", got, want)
		}
	}
}

func TestResample(t *testing.T) {
	// A 1 kHz tone at 22050 Hz comes out a 1 kHz tone at 16 kHz, same amplitude and phase.
	const in, out, f = 22050, 16000, 1000.0
	x := make([]float64, in)
	for i := range x {
		x[i] = 0.5 * math.Sin(2*math.Pi*f*float64(i)/in)
	}
	y := resampleRate(x, in, out)
	if len(y) != out {
		t.Fatalf("%d samples, want %d", len(y), out)
	}
	var maxErr float64
	for k := 1000; k < len(y)-1000; k++ {
		want := 0.5 * math.Sin(2*math.Pi*f*float64(k)/out)
		maxErr = math.Max(maxErr, math.Abs(y[k]-want))
	}
	if maxErr > 1e-3 {
		t.Errorf("max error %.2g", maxErr)
	}
	// A 10 kHz tone is above 8 kHz's Nyquist and must be gone.
	for i := range x {
		x[i] = 0.5 * math.Sin(2*math.Pi*10000*float64(i)/in)
	}
	y = resampleRate(x, in, out)
	if r := rms(y[1000 : len(y)-1000]); r > 1e-3 {
		t.Errorf("10 kHz tone left at rms %.2g after resampling to 16 kHz", r)
	}
}
