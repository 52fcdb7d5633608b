package voice

import "testing"

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
