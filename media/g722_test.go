package media

import (
	"encoding/binary"
	"math"
	"os"
	"testing"
)

// g722RoundTrip encodes and decodes in 20 ms packets, as a call does.
func g722RoundTrip(in []int16) []int16 {
	c := NewG722()
	out := make([]int16, 0, len(in))
	pay := make([]byte, 160)
	dec := make([]int16, 320)
	for i := 0; i+320 <= len(in); i += 320 {
		n := c.Encode(pay, in[i:i+320])
		k := c.Decode(dec, pay[:n])
		out = append(out, dec[:k]...)
	}
	return out
}

// snr finds the codec delay (QMF and ADPCM) and returns the signal-to-noise ratio in dB.
func snr(in, out []int16) (float64, int) {
	best, lag := -math.MaxFloat64, 0
	for d := 0; d < 64; d++ {
		var sig, noise float64
		for i := 4000; i+d < len(out) && i < len(in); i++ {
			e := float64(out[i+d]) - float64(in[i])
			sig += float64(in[i]) * float64(in[i])
			noise += e * e
		}
		if s := 10 * math.Log10(sig/(noise+1e-9)); s > best {
			best, lag = s, d
		}
	}
	return best, lag
}

func TestG722RoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		in     []int16
		minSNR float64
	}{
		{"1 kHz at -16 dBFS", sine(16000, 16000, 1000, 5000), 40},
		{"300 Hz loud", sine(16000, 16000, 300, 20000), 55},
		{"3 kHz", sine(16000, 16000, 3000, 8000), 35},
		{"6 kHz (upper band)", sine(16000, 16000, 6000, 8000), 20},
		{"two tones", func() []int16 {
			a, b := sine(16000, 16000, 440, 6000), sine(16000, 16000, 1800, 4000)
			for i := range a {
				a[i] += b[i]
			}
			return a
		}(), 32},
	}
	for _, tc := range tests {
		out := g722RoundTrip(tc.in)
		if len(out) != len(tc.in) {
			t.Fatalf("%s: %d samples out of %d", tc.name, len(out), len(tc.in))
		}
		s, lag := snr(tc.in, out)
		t.Logf("%-20s SNR %5.1f dB at a delay of %d samples", tc.name, s, lag)
		if s < tc.minSNR {
			t.Errorf("%s: SNR %.1f dB, want >= %.0f", tc.name, s, tc.minSNR)
		}
	}
}

func TestG722Spectrum(t *testing.T) {
	// A tone comes back at its own frequency and level, with little energy elsewhere.
	for _, hz := range []float64{500, 1000, 2500, 5000} {
		in := sine(16000, 16000, hz, 8000)
		out := g722RoundTrip(in)[8000:]
		got := toneDB(out, 16000, hz) - toneDB(in[8000:], 16000, hz)
		if math.Abs(got) > 1 {
			t.Errorf("%v Hz: level changed by %.1f dB", hz, got)
		}
		for _, other := range []float64{hz / 2, hz * 1.5, 7000} {
			if other == hz || other >= 8000 {
				continue
			}
			if leak := toneDB(out, 16000, other) - toneDB(out, 16000, hz); leak > -30 {
				t.Errorf("%v Hz in: %v Hz only %.1f dB down", hz, other, leak)
			}
		}
	}
	// Silence stays silent; full scale does not wrap around.
	out := g722RoundTrip(make([]int16, 3200))
	if l := Level(out[320:]); l > -70 {
		t.Errorf("silence comes back at %.1f dBFS", l)
	}
	loud := sine(16000, 16000, 1000, 32767)
	s, _ := snr(loud, g722RoundTrip(loud))
	if s < 10 {
		t.Errorf("full-scale tone SNR %.1f dB", s)
	}
}

func TestG722Session(t *testing.T) {
	c, err := NewCodec("G722", 8000)
	if err != nil || c.ClockRate() != 8000 || c.SampleRate() != 16000 || c.PayloadLen(320) != 160 {
		t.Fatalf("%v %v", c, err)
	}
}

func FuzzG722Decode(f *testing.F) {
	f.Add([]byte{0, 0xff, 0x3f, 0xc0})
	f.Add(make([]byte, 160))
	f.Fuzz(func(t *testing.T, b []byte) {
		c := NewG722()
		out := make([]int16, 2*len(b))
		if n := c.Decode(out, b); n != 2*len(b) {
			t.Fatalf("%d samples from %d bytes", n, len(b))
		}
		// Whatever came before, the encoder must still track a tone afterwards.
		in := sine(3200, 16000, 1000, 8000)
		pay := make([]byte, 1600)
		c.Encode(pay, in)
		c.Decode(make([]int16, 3200), pay)
	})
}

func readRaw16(t *testing.T, path string) []int16 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := make([]int16, len(b)/2)
	for i := range s {
		s[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return s
}

// TestG722Golden compares bit for bit with an independent implementation (spandsp 0.0.6,
// whose G.722 passes the ITU-T test sequences) on 2 s of chirp, noise, silence and a
// full-scale square wave: testdata/g722/input.raw (16 kHz s16le) encoded to encoded.g722
// and that decoded to decoded.raw.
func TestG722Golden(t *testing.T) {
	in := readRaw16(t, "testdata/g722/input.raw")
	wantCode, err := os.ReadFile("testdata/g722/encoded.g722")
	if err != nil {
		t.Fatal(err)
	}
	wantPCM := readRaw16(t, "testdata/g722/decoded.raw")
	c := NewG722()
	code := make([]byte, len(in)/2)
	for i := 0; i < len(in); i += 320 { // in 20 ms packets, as a call does
		c.Encode(code[i/2:], in[i:min(i+320, len(in))])
	}
	for i := range code {
		if code[i] != wantCode[i] {
			t.Fatalf("encoder differs first at byte %d (sample %d): %#x, want %#x", i, 2*i, code[i], wantCode[i])
		}
	}
	out := make([]int16, len(wantPCM))
	for i := 0; i < len(wantCode); i += 160 {
		c.Decode(out[2*i:], wantCode[i:min(i+160, len(wantCode))])
	}
	wrapped := 0
	for i := range out {
		if out[i] == wantPCM[i] {
			continue
		}
		// On overload the reference wraps its 16-bit output where we saturate; the
		// Recommendation limits. Anything else is a real difference.
		if sat := out[i] == 32767 && wantPCM[i] < 0 || out[i] == -32768 && wantPCM[i] > 0; !sat {
			t.Fatalf("decoder differs at sample %d: %d, want %d", i, out[i], wantPCM[i])
		}
		wrapped++
	}
	if wrapped > 16 {
		t.Errorf("%d overload samples differ, expected a handful in the full-scale section", wrapped)
	}
}
