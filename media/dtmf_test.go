package media

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestDigitEvent(t *testing.T) {
	for i, d := range "0123456789*#ABCD" {
		ev, err := DigitEvent(d)
		if err != nil || int(ev) != i {
			t.Errorf("DigitEvent(%q) = %d, %v", d, ev, err)
		}
		if back, ok := EventDigit(ev); !ok || back != d {
			t.Errorf("EventDigit(%d) = %q", ev, back)
		}
	}
	if ev, err := DigitEvent('a'); err != nil || ev != 12 {
		t.Errorf("lower-case a: %d, %v", ev, err)
	}
	for _, d := range "xE 9\x00" {
		if d == '9' {
			continue
		}
		if _, err := DigitEvent(d); err == nil {
			t.Errorf("DigitEvent(%q) accepted", d)
		}
	}
	if _, ok := EventDigit(16); ok {
		t.Error("event 16 (flash) mapped to a digit")
	}
}

// render makes audio of digits keyed as tone/gap milliseconds, with noise at noiseDB dBFS.
func render(keys string, rate, toneMS, gapMS int, noiseDB float64) []int16 {
	r := rand.New(rand.NewPCG(3, 4))
	var out []int16
	noise := 32768 * math.Pow(10, noiseDB/20) * math.Sqrt(3)
	for _, d := range keys {
		ev, _ := DigitEvent(d)
		tone := make([]int16, rate*toneMS/1000)
		dtmfTone(tone, ev, rate, 0)
		out = append(out, tone...)
		out = append(out, make([]int16, rate*gapMS/1000)...)
	}
	for i := range out {
		out[i] = int16(max(-32768, min(32767, float64(out[i])+noise*(2*r.Float64()-1))))
	}
	return out
}

func TestInBandDetector(t *testing.T) {
	tests := []struct {
		name  string
		rate  int
		audio []int16
		want  string
	}{
		{"all digits, 60/40 ms", 8000, render("0123456789*#ABCD", 8000, 60, 40, -60), "0123456789*#ABCD"},
		{"ten a second, 50/50 ms", 8000, render("0123456789*#ABCD", 8000, 50, 50, -50), "0123456789*#ABCD"},
		{"16 kHz", 16000, render("159D", 16000, 60, 40, -60), "159D"},
		{"noisy, long keys", 8000, render("2580", 8000, 200, 100, -30), "2580"},
		{"repeated digit needs the gap", 8000, render("1111", 8000, 60, 40, -60), "1111"},
		{"too short (20 ms)", 8000, render("5", 8000, 20, 100, -60), ""},
		{"single 1 kHz tone is no digit", 8000, sine(8000, 8000, 1000, 10000), ""},
		{"single row tone is no digit", 8000, sine(8000, 8000, 697, 10000), ""},
		{"silence", 8000, make([]int16, 8000), ""},
	}
	for _, tc := range tests {
		d := newDTMFDetector(tc.rate)
		var got []rune
		// Feed in awkward chunk sizes: detection must not depend on packet boundaries.
		for i := 0; i < len(tc.audio); i += 77 {
			if r, ok := d.feed(tc.audio[i:min(i+77, len(tc.audio))]); ok {
				got = append(got, r)
			}
		}
		if string(got) != tc.want {
			t.Errorf("%s: detected %q, want %q", tc.name, string(got), tc.want)
		}
	}
}
