package voice

import (
	"math"
	"testing"
)

// At ratio 1 the resampler is an exact delay of resampleHalf+slack samples, block for block.
func TestResamplerIdentity(t *testing.T) {
	const n, slack = 160, 32
	r := newResampler(n, slack)
	x := whiteNoise(1, 20*n, 1000)
	out := make([]float64, len(x))
	for b := 0; b < len(x)/n; b++ {
		r.feed(x[b*n : (b+1)*n])
		if !r.ready() {
			t.Fatalf("block %d not ready", b)
		}
		r.next(out[b*n : (b+1)*n])
		if r.surplus() {
			t.Fatalf("block %d: surplus", b)
		}
	}
	d := resampleHalf + slack
	for i := d; i < len(x); i++ {
		if out[i] != x[i-d] {
			t.Fatalf("sample %d: %g, want %g", i, out[i], x[i-d])
		}
	}
}

// Read at a ratio off 1, the resampler hands on the reference as the other clock would have
// sampled it, across the blocks it holds back (ready false) or hands on twice (surplus): a
// sine comes out as the sine at the other clock, continuous from block to block.
func TestResamplerRatio(t *testing.T) {
	const n, slack = 160, 32
	for _, ratio := range []float64{1 + 3e-3, 1 - 3e-3} {
		r := newResampler(n, slack)
		r.ratio = ratio
		const f = 0.05 // cycles per raw sample (800 Hz at 16 kHz)
		raw := make([]float64, 500*n)
		for i := range raw {
			raw[i] = 1000 * math.Sin(2*math.Pi*f*float64(i))
		}
		var out []float64
		blk := make([]float64, n)
		skipped, doubled := 0, 0
		for b := 0; b < len(raw)/n; b++ {
			r.feed(raw[b*n : (b+1)*n])
			if !r.ready() {
				skipped++
				continue
			}
			r.next(blk)
			out = append(out, blk...)
			if r.surplus() {
				doubled++
				r.next(blk)
				out = append(out, blk...)
			}
		}
		if skipped+doubled == 0 {
			t.Fatalf("ratio %g: no block held back or doubled in %d blocks", ratio, len(raw)/n)
		}
		// Output sample k was read at raw position k*ratio - (resampleHalf+slack).
		var errE, sigE float64
		for k := 4 * n; k < len(out); k++ {
			want := 1000 * math.Sin(2*math.Pi*f*(float64(k)*ratio-resampleHalf-slack))
			errE += (out[k] - want) * (out[k] - want)
			sigE += want * want
		}
		e := 10 * math.Log10(errE/sigE)
		t.Logf("ratio %g: error %.1f dB, %d blocks held back, %d doubled", ratio, e, skipped, doubled)
		if e > -60 {
			t.Errorf("ratio %g: error %.1f dB (skipped %d, doubled %d blocks)", ratio, e, skipped, doubled)
		}
	}
}
