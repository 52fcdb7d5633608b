package voice

import "testing"

func TestProcessAllocatesNothing(t *testing.T) {
	for _, rate := range []int{8000, 16000} {
		for _, cfg := range []Config{Defaults(), {Echo: EchoHalfDuplex, EchoTail: MaxTail, Noise: NoiseHigh, AGCTarget: -18, AGCMaxGain: 30}} {
			p, err := New(cfg, rate)
			if err != nil {
				t.Fatal(err)
			}
			frame := 2 * p.BlockSize()
			mic := toInt16(whiteNoise(1, frame, 2000))
			ref := toInt16(whiteNoise(2, frame, 2000))
			out := make([]int16, frame)
			if a := testing.AllocsPerRun(50, func() { _ = p.Process(out, mic, ref) }); a != 0 {
				t.Errorf("%d Hz %+v: %g allocations per Process", rate, cfg, a)
			}
		}
	}
}

func benchmarkProcess(b *testing.B, rate int) {
	p, err := New(Defaults(), rate)
	if err != nil {
		b.Fatal(err)
	}
	n := p.BlockSize()
	secs := 4
	mic := toInt16(add(convolve(speechLike(1, secs*rate, rate, 3000), roomResponse(2, rate, 40, rate/10, 0.15, 1)), speechLike(3, secs*rate, rate, 1000)))
	ref := toInt16(speechLike(1, secs*rate, rate, 3000))
	out := make([]int16, n)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_ = p.Process(out, mic[i:i+n], ref[i:i+n])
		i = (i + n) % len(mic)
	}
}

// BenchmarkProcess8k and 16k time one 10 ms block of the default chain on speech and echo.
func BenchmarkProcess8k(b *testing.B)  { benchmarkProcess(b, 8000) }
func BenchmarkProcess16k(b *testing.B) { benchmarkProcess(b, 16000) }
