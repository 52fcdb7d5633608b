package voice

import (
	"testing"
	"time"
)

// run feeds mic and ref through p in 20 ms frames and returns the output moved back by the
// processor's latency, and the stats after every frame.
func run(t testing.TB, p *Processor, mic, ref []float64) ([]float64, []Stats) {
	frame := 2 * p.BlockSize()
	m, r := toInt16(mic), toInt16(ref)
	o := make([]int16, len(m))
	var st []Stats
	for i := 0; i+frame <= len(m); i += frame {
		if err := p.Process(o[i:i+frame], m[i:i+frame], r[i:i+frame]); err != nil {
			t.Fatal(err)
		}
		st = append(st, p.Stats())
	}
	out := make([]float64, len(o))
	lat := p.Latency()
	for i := range len(o) - lat {
		out[i] = float64(o[i+lat])
	}
	return out, st
}

func echoOnly() Config {
	c := Defaults()
	c.AGC = false
	c.Noise = NoiseOff
	return c
}

func TestProcessorSpeechEcho(t *testing.T) {
	for _, rate := range []int{8000, 16000} {
		for _, delayMs := range []int{0, 60, 200} {
			n := 6 * rate
			ref := speechLike(2, n, rate, 3000)
			h := roomResponse(3, rate, rate/1000*(3+delayMs), rate/10, 0.15, 2)
			echo := convolve(ref, h)
			mic := add(echo, whiteNoise(4, n, 3))
			p, err := New(echoOnly(), rate)
			if err != nil {
				t.Fatal(err)
			}
			out, st := run(t, p, mic, ref)
			t.Logf("%d Hz delay %d ms: echo loss per 0.5 s %.1f; stats %+v", rate, delayMs, erleCurve(echo, out, rate/2), st[len(st)-1])
			_ = time.Millisecond
		}
	}
}
