package media

import (
	"errors"
	"math"
	"testing"
)

func TestG711Golden(t *testing.T) {
	// Values from ITU-T G.711 tables (A-law even bits inverted, µ-law all bits inverted).
	tests := []struct {
		codec string
		pcm   int16
		code  byte
	}{
		{"PCMA", 0, 0xD5},
		{"PCMA", -1, 0x55},
		{"PCMA", 32767, 0xAA},
		{"PCMA", -32768, 0x2A},
		{"PCMU", 0, 0xFF},
		{"PCMU", -1, 0x7F},
		{"PCMU", 32767, 0x80},
		{"PCMU", -32768, 0x00},
	}
	for _, tc := range tests {
		c, err := NewCodec(tc.codec, 8000)
		if err != nil {
			t.Fatal(err)
		}
		var b [1]byte
		c.Encode(b[:], []int16{tc.pcm})
		if b[0] != tc.code {
			t.Errorf("%s encode %d = %#x, want %#x", tc.codec, tc.pcm, b[0], tc.code)
		}
	}
}

func TestCodecRoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		rate   int
		maxErr float64 // relative to the sample's magnitude, plus a small floor
	}{
		{"PCMA", 8000, 0.07},
		{"PCMU", 8000, 0.07},
		{"L16", 16000, 0},
		{"L16", 48000, 0},
	}
	for _, tc := range tests {
		c, err := NewCodec(tc.name, tc.rate)
		if err != nil {
			t.Fatal(err)
		}
		if c.SampleRate() != tc.rate || c.ClockRate() != tc.rate {
			t.Errorf("%s: rates %d/%d", tc.name, c.SampleRate(), c.ClockRate())
		}
		pcm := make([]int16, 0, 65536)
		for v := -32768; v <= 32767; v += 7 {
			pcm = append(pcm, int16(v))
		}
		payload := make([]byte, c.PayloadLen(len(pcm)))
		if n := c.Encode(payload, pcm); n != len(payload) {
			t.Fatalf("%s encoded %d bytes, want %d", tc.name, n, len(payload))
		}
		out := make([]int16, c.Samples(len(payload)))
		if n := c.Decode(out, payload); n != len(pcm) {
			t.Fatalf("%s decoded %d samples, want %d", tc.name, n, len(pcm))
		}
		for i := range pcm {
			d := math.Abs(float64(out[i]) - float64(pcm[i]))
			if d > tc.maxErr*math.Abs(float64(pcm[i]))+16 {
				t.Fatalf("%s: %d -> %d", tc.name, pcm[i], out[i])
			}
		}
	}
}

func TestNewCodecErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		rate int
	}{{"OPUS", 48000}, {"PCMA", 16000}, {"L16", 44100}, {"", 0}} {
		if _, err := NewCodec(tc.name, tc.rate); !errors.Is(err, ErrCodec) {
			t.Errorf("NewCodec(%q, %d) = %v, want ErrCodec", tc.name, tc.rate, err)
		}
	}
}

func sine(n, rate int, hz float64, amp float64) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(amp * math.Sin(2*math.Pi*hz*float64(i)/float64(rate)))
	}
	return s
}

// goertzelPower is the power of hz in s, normalised so a full-scale sine gives about 0 dB.
func toneDB(s []int16, rate int, hz float64) float64 {
	k := 2 * math.Cos(2*math.Pi*hz/float64(rate))
	var s1, s2 float64
	for _, v := range s {
		s0 := float64(v)/32768 + k*s1 - s2
		s2, s1 = s1, s0
	}
	p := s1*s1 + s2*s2 - k*s1*s2
	return 10 * math.Log10(p/float64(len(s)*len(s))*4+1e-20)
}

func TestResampler(t *testing.T) {
	tests := []struct {
		from, to int
		hz       float64
		wantDB   float64 // level of hz at the output, relative to the input
	}{
		{8000, 48000, 1000, 0},
		{48000, 8000, 1000, 0},
		{16000, 48000, 3000, 0},
		{48000, 16000, 5000, 0},
		{48000, 8000, 10000, -40}, // above the 4 kHz Nyquist: must be suppressed (aliases to 2 kHz)
		{8000, 16000, 500, 0},
	}
	for _, tc := range tests {
		r, err := newResampler(tc.from, tc.to)
		if err != nil {
			t.Fatal(err)
		}
		frame := tc.from / 50
		in := sine(tc.from/2, tc.from, tc.hz, 16000) // 500 ms
		var out []int16
		buf := make([]int16, r.outLen(frame))
		for i := 0; i+frame <= len(in); i += frame {
			n := r.process(buf, in[i:i+frame])
			out = append(out, buf[:n]...)
		}
		if len(out) != tc.to/2 {
			t.Fatalf("%d->%d: %d samples out, want %d", tc.from, tc.to, len(out), tc.to/2)
		}
		tail := out[len(out)/2:] // past the filter's start-up
		inDB := toneDB(in[len(in)/2:], tc.from, tc.hz)
		check := tc.hz
		if tc.wantDB < 0 {
			check = float64(tc.to) - math.Mod(tc.hz, float64(tc.to)) // alias frequency
			if check > float64(tc.to)/2 {
				check = math.Abs(float64(tc.to) - check)
			}
		}
		got := toneDB(tail, tc.to, check) - inDB
		if tc.wantDB == 0 && math.Abs(got) > 0.5 {
			t.Errorf("%d->%d %v Hz: gain %.2f dB, want 0", tc.from, tc.to, tc.hz, got)
		}
		if tc.wantDB < 0 && got > tc.wantDB {
			t.Errorf("%d->%d %v Hz: alias at %v Hz only %.1f dB down, want <= %.0f", tc.from, tc.to, tc.hz, check, got, tc.wantDB)
		}
	}
	if _, err := newResampler(44100, 8000); !errors.Is(err, ErrFormat) {
		t.Errorf("44.1k->8k: %v, want ErrFormat", err)
	}
}

func TestConverters(t *testing.T) {
	dev := Format{Rate: 48000, Channels: 2}
	c, p, err := newConverters(dev, 8000, 960)
	if err != nil {
		t.Fatal(err)
	}
	in := make([]int16, 960*2)
	mono := make([]int16, 160)
	out := make([]int16, 960*2)
	allocs := testing.AllocsPerRun(20, func() {
		c.convert(mono, in)
		p.convert(out, mono)
	})
	if allocs != 0 {
		t.Errorf("converters allocate %v per frame", allocs)
	}
	if _, _, err := newConverters(Format{44100, 2}, 8000, 882); !errors.Is(err, ErrFormat) {
		t.Errorf("44.1k: %v, want ErrFormat", err)
	}
}

// BenchmarkCodec is one 20 ms frame encoded and decoded, without sockets, per codec.
func BenchmarkCodec(b *testing.B) {
	for _, tc := range []struct {
		name string
		rate int
	}{{"PCMA", 8000}, {"PCMU", 8000}, {"L16", 16000}, {"G722", 8000}} {
		b.Run(tc.name, func(b *testing.B) {
			c, _ := NewCodec(tc.name, tc.rate)
			pcm := sine(c.SampleRate()/50, c.SampleRate(), 1000, 8000)
			pay := make([]byte, c.PayloadLen(len(pcm)))
			out := make([]int16, len(pcm))
			b.ReportAllocs()
			for b.Loop() {
				n := c.Encode(pay, pcm)
				c.Decode(out, pay[:n])
			}
		})
	}
}

// BenchmarkConvert48kStereo is one 20 ms frame from a 48 kHz stereo card down to 8 kHz mono
// and back.
func BenchmarkConvert48kStereo(b *testing.B) {
	c, p, _ := newConverters(Format{48000, 2}, 8000, 960)
	in := sine(1920, 48000, 1000, 8000)
	mono := make([]int16, 160)
	out := make([]int16, 1920)
	b.ReportAllocs()
	for b.Loop() {
		c.convert(mono, in)
		p.convert(out, mono)
	}
}
