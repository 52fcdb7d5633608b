package voice

import (
	"math"
	"testing"
	"time"
)

// TestBadInput feeds hostile signals, then normal echo, and checks the processor never
// panics, keeps its state finite, is never louder than its input plus the AGC's maximum
// gain, and cancels again afterwards.
func TestBadInput(t *testing.T) {
	rate := 8000
	n := rate
	square := func(amp float64) []float64 {
		x := make([]float64, n)
		for i := range x {
			if (i/20)%2 == 0 {
				x[i] = amp
			} else {
				x[i] = -amp
			}
		}
		return x
	}
	konst := func(v float64) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = v
		}
		return x
	}
	clipped := func() []float64 {
		x := whiteNoise(81, n, 30000)
		for i := range x {
			x[i] = math.Max(-32768, math.Min(32767, x[i]))
		}
		return x
	}
	speech := speechLike(82, n, rate, 3000)
	for _, tc := range []struct {
		name     string
		mic, ref []float64
	}{
		{"silence", konst(0), konst(0)},
		{"dc", konst(20000), konst(-20000)},
		{"full-scale square", square(32767), square(32767)},
		{"square mic, silent ref", square(32767), konst(0)},
		{"clipped", clipped(), clipped()},
		{"reference stops", convolve(speech, roomResponse(83, rate, 20, 400, 0.1, 1)), konst(0)},
		{"capture of zeros", konst(0), speech},
		{"mic without ref", speech, konst(0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Defaults()
			cfg.AGCMaxGain = 12
			p := newP(t, cfg, rate)
			// Learn a path first, so the bad input meets a converged filter.
			ref := speechLike(84, 3*rate, rate, 3000)
			h := roomResponse(85, rate, 20, 400, 0.1, 1.5)
			run(t, p, convolve(ref, h), ref)
			out, st := run(t, p, tc.mic, tc.ref)
			maxGain := math.Pow(10, cfg.AGCMaxGain/20)
			// The first window still holds the end of the learning signal (one block of
			// latency, comfort noise fading), so the check starts after it.
			for w := rate / 5; w+rate/5 <= len(out); w += rate / 5 {
				in := math.Sqrt(energy(tc.mic[w:w+rate/5]) / float64(rate/5))
				o := math.Sqrt(energy(out[w:w+rate/5]) / float64(rate/5))
				if o > in*maxGain*1.1+30 {
					t.Fatalf("window at %d: output rms %.0f, input %.0f (max gain %.1f)", w, o, in, maxGain)
				}
			}
			s := st[len(st)-1]
			for _, v := range []float64{s.ERLE, s.Suppression, s.Noise, s.Gain} {
				if !finite(v) {
					t.Fatalf("stats not finite: %+v", s)
				}
			}
			checkFinite(t, p)
			// And it cancels again.
			ref = speechLike(86, 4*rate, rate, 3000)
			echo := convolve(ref, h)
			out, _ = run(t, p, echo, ref)
			if l := lossAt(echo, out, rate, 2, 4); l < 20 {
				t.Errorf("echo loss %.1f dB after the bad input", l)
			}
		})
	}
}

func checkFinite(t *testing.T, p *Processor) {
	t.Helper()
	if c := p.canc; c != nil {
		for j := range c.w {
			for k := range c.w[j] {
				if v := c.w[j][k] + c.fg[j][k]; !finite(real(v)) || !finite(imag(v)) {
					t.Fatalf("filter partition %d bin %d not finite", j, k)
				}
			}
		}
		if !finite(c.leak) || !finite(c.pey) || !finite(c.pyy) {
			t.Fatalf("leakage state not finite")
		}
	}
	if s := p.sup; s != nil {
		for k := range s.noise {
			if !finite(s.noise[k]) || !finite(s.resid[k]) || !finite(s.clean[k]) || !finite(s.see[k]) {
				t.Fatalf("suppressor bin %d not finite", k)
			}
		}
	}
	if !finite(p.agc.gain) || !finite(p.agc.limiter) || !finite(p.hdGain) {
		t.Fatal("gains not finite")
	}
}

// FuzzProcess runs random microphone and reference frames through random configurations.
func FuzzProcess(f *testing.F) {
	f.Add(uint8(0), []byte{0, 0, 0, 0}, []byte{1, 2, 3, 4})
	f.Add(uint8(1), []byte{0xff, 0x7f, 0x00, 0x80}, []byte{0xff, 0x7f, 0x00, 0x80})
	f.Add(uint8(0x5a), []byte("a door station hears its own speaker"), []byte("the far end talks over the visitor"))
	f.Add(uint8(0xff), make([]byte, 640), make([]byte, 3))
	f.Fuzz(func(t *testing.T, sel uint8, mb, rb []byte) {
		cfg := Config{
			Echo:       EchoMode(sel % 3),
			EchoTail:   []time.Duration{MinTail, 128 * time.Millisecond, MaxTail}[(sel>>2)%3],
			Noise:      NoiseLevel((sel >> 4) % 3),
			AGC:        sel&0x40 != 0,
			AGCTarget:  -18,
			AGCMaxGain: 24,
		}
		rate := 8000
		if sel&0x80 != 0 {
			rate = 16000
		}
		p, err := New(cfg, rate)
		if err != nil {
			t.Fatal(err)
		}
		n := p.BlockSize()
		mic, ref, out := make([]int16, n), make([]int16, n), make([]int16, n)
		// Repeat the inputs for a second so the filters adapt on them.
		for b := range 100 {
			for i := range n {
				j := 2 * (b*n + i)
				if len(mb) >= 2 {
					mic[i] = int16(uint16(mb[j%len(mb)]) | uint16(mb[(j+1)%len(mb)])<<8)
				}
				if len(rb) >= 2 {
					ref[i] = int16(uint16(rb[j%len(rb)]) | uint16(rb[(j+1)%len(rb)])<<8)
				}
			}
			if err := p.Process(out, mic, ref); err != nil {
				t.Fatal(err)
			}
		}
		s := p.Stats()
		for _, v := range []float64{s.ERLE, s.Suppression, s.Noise, s.Gain} {
			if !finite(v) {
				t.Fatalf("stats not finite: %+v", s)
			}
		}
		checkFinite(t, p)
	})
}
