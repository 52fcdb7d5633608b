package tone

import (
	"math"
	"testing"
)

func TestSNR(t *testing.T) {
	const rate = 8000
	noise := make([]int16, 1600)
	Pattern(noise, 7)
	tests := []struct {
		name     string
		hz, at   int
		amp      float64
		noiseDiv int16 // 0: no noise
		min, max float64
	}{
		{"pure 1 kHz", 1000, 1000, 8000, 0, 60, math.Inf(1)},
		{"pure off-bin 997 Hz", 997, 997, 8000, 0, 50, math.Inf(1)},
		{"1 kHz with noise 36 dB down", 1000, 1000, 8000, 128, 25, 45},
		{"wrong frequency", 400, 1000, 8000, 0, math.Inf(-1), 0},
		{"silence", 1000, 1000, 0, 0, math.Inf(-1), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := make([]int16, 1600)
			Sine(x, rate, tt.hz, tt.amp, 0)
			if tt.noiseDiv != 0 {
				for i := range x {
					x[i] += noise[i] / tt.noiseDiv
				}
			}
			got := SNR(x, rate, tt.at)
			if got < tt.min || got > tt.max {
				t.Errorf("SNR = %.1f dB, want in [%.1f, %.1f]", got, tt.min, tt.max)
			}
		})
	}
}

func TestFindPattern(t *testing.T) {
	want := make([]int16, 400)
	Pattern(want, 1)
	tests := []struct {
		name     string
		lead     int
		cut      int // samples missing at the end
		wantAt   int
		wantMiss int
	}{
		{"no lead-in", 0, 0, 0, 0},
		{"64 frames lead-in", 64, 0, 64, 0},
		{"tail cut", 10, 30, 10, 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := make([]int16, tt.lead, tt.lead+len(want))
			got = append(got, want[:len(want)-tt.cut]...)
			at := Find(got, want)
			if at != tt.wantAt {
				t.Fatalf("Find = %d, want %d", at, tt.wantAt)
			}
			if m := Mismatch(got, want, at); m != tt.wantMiss {
				t.Errorf("Mismatch = %d, want %d", m, tt.wantMiss)
			}
		})
	}
	if Find(make([]int16, 100), want) != -1 {
		t.Error("Find found the pattern in silence")
	}
	for _, v := range want {
		if v == 0 {
			t.Fatal("pattern holds a zero sample")
		}
	}
}

func BenchmarkSNR(b *testing.B) {
	x := make([]int16, 8000)
	Sine(x, 8000, 1000, 8000, 0)
	b.ReportAllocs()
	for b.Loop() {
		SNR(x, 8000, 1000)
	}
}

func TestSteadySNR(t *testing.T) {
	const rate = 8000
	tests := []struct {
		name     string
		build    func() []int16
		min, max float64
		windows  int
	}{
		{"silence, tone, silence", func() []int16 {
			x := make([]int16, 3*rate)
			Sine(x[rate:2*rate], rate, 400, 6000, 0)
			return x
		}, 60, math.Inf(1), 5}, // two half-filled windows at the edges count too
		{"all silence", func() []int16 { return make([]int16, rate) }, math.Inf(-1), math.Inf(-1), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, n := SteadySNR(tt.build(), rate, 400, rate/2, 300)
			if n != tt.windows || got < tt.min || got > tt.max {
				t.Errorf("SteadySNR = %.1f dB over %d windows, want [%.0f, %.0f] over %d", got, n, tt.min, tt.max, tt.windows)
			}
		})
	}
}

func TestLevel(t *testing.T) {
	const rate = 8000
	tests := []struct {
		name string
		amp  float64 // of the 400 Hz tone measured
		near float64 // amplitude of a 1 kHz tone beside it
		want float64 // dBFS
	}{
		{"full scale", 32767, 0, 0},
		{"-20 dBFS", 3276.8, 0, -20},
		{"-60 dBFS beside a loud 1 kHz", 32.768, 10000, -60},
		{"silence beside 1 kHz", 0, 10000, math.Inf(-1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := make([]int16, rate/4)
			y := make([]int16, len(x))
			Sine(x, rate, 400, tt.amp, 0)
			Sine(y, rate, 1000, tt.near, 0)
			for i := range x {
				x[i] += y[i]
			}
			got := Level(x, rate, 400)
			if math.IsInf(tt.want, -1) {
				// Rounding to int16 leaves a floor far below any echo figure.
				if got > -90 {
					t.Errorf("Level = %.1f dBFS, want below -90", got)
				}
				return
			}
			if math.Abs(got-tt.want) > 0.5 {
				t.Errorf("Level = %.2f dBFS, want %.1f", got, tt.want)
			}
		})
	}
	if l, n := SteadyLevel(make([]int16, rate), rate, 400, rate/4, 0); n != 7 || !math.IsInf(l, -1) {
		t.Errorf("SteadyLevel of silence = %.1f over %d windows, want -Inf over 7", l, n)
	}
}
