package voice

import (
	"testing"
)

// runCanceller feeds whole signals through a bare canceller and returns its output.
func runCanceller(t testing.TB, rate, tailBlocks, delayBlocks int, mic, ref []float64) ([]float64, *canceller) {
	n := rate / 100
	c, err := newCanceller(rate, n, tailBlocks, 30)
	if err != nil {
		t.Fatal(err)
	}
	c.setDelay(delayBlocks)
	out := make([]float64, len(mic))
	echo := make([]float64, n)
	for i := 0; i+n <= len(mic); i += n {
		c.push(ref[i : i+n])
		c.cancel(out[i:i+n], echo, mic[i:i+n])
	}
	return out, c
}

// erleCurve is the echo loss per window of the output against the echo alone.
func erleCurve(echo, out []float64, win int) []float64 {
	var r []float64
	for i := 0; i+win <= len(echo); i += win {
		r = append(r, db(energy(echo[i:i+win]))-db(energy(out[i:i+win])))
	}
	return r
}

// TestCancellerLearns checks the linear filter alone: white noise through a room.
func TestCancellerLearns(t *testing.T) {
	for _, rate := range []int{8000, 16000} {
		n := 3 * rate
		ref := whiteNoise(1, n, 3000)
		h := roomResponse(3, rate, rate/1000*3, rate/10, 0.15, 2)
		echo := convolve(ref, h)
		mic := add(echo, whiteNoise(4, n, 3))
		out, c := runCanceller(t, rate, 13, 0, mic, ref)
		curve := erleCurve(echo, out, rate/2)
		t.Logf("%d Hz: linear ERLE per 0.5 s %.1f, leakage %.4f", rate, curve, c.leak)
		if curve[1] < 10 || curve[4] < 30 {
			t.Errorf("%d Hz: linear ERLE %.1f dB at 0.5-1 s (want >= 10), %.1f dB at 2-2.5 s (want >= 30)", rate, curve[1], curve[4])
		}
	}
}
