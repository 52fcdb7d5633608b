package voice

import (
	"math"
	"math/cmplx"
	"testing"
	"time"
)

// toneLevel is the amplitude of the hz component of x over whole periods.
func toneLevel(x []float64, rate, hz int) float64 {
	n := len(x) / (rate / hz) * (rate / hz)
	var acc complex128
	for i, v := range x[:n] {
		acc += complex(v, 0) * cmplx.Exp(complex(0, -2*math.Pi*float64(hz)*float64(i)/float64(rate)))
	}
	return 2 * cmplx.Abs(acc) / float64(n)
}

// TestRealignInDoubleTalk: the call of TestHandsFreeCall without the sockets: the far end a
// steady 400 Hz tone through the door's box, the visitor a steady 1 kHz tone from 2 s on;
// then the reference handed to Process moves by shift samples against the microphone
// (internal/audio realigning after the loudspeaker starved) during the double talk: 5.5 and
// 6 ms earlier, 6 ms later, and 12 ms later (the echo then arrives before its reference).
// Measured: 47.6, 44.5, 47.1 and 47.6 dB; 54.0 without a shift.
func TestRealignInDoubleTalk(t *testing.T) {
	const rate = 8000
	h := make([]float64, 160)
	for k := range h {
		h[k] = 0.5 * math.Exp(-float64(k)/35) * math.Cos(float64(k)*1.7)
	}
	for _, shift := range []int{44, 48, -48, -96} {
		cfg := Config{Echo: EchoOn, EchoTail: 128 * time.Millisecond, Noise: NoiseOff, AGCTarget: -18, AGCMaxGain: 10}
		p, err := New(cfg, rate)
		if err != nil {
			t.Fatal(err)
		}
		p.SharedClock()
		n := p.block
		secs := 8
		total := secs * rate
		far := make([]float64, total+400)
		for i := range far {
			far[i] = 8000 * math.Sin(2*math.Pi*400*float64(i)/rate)
		}
		// The reference that reached the loudspeaker at mic index i is far[i+200]; the
		// echo comes 5 ms (40 samples) later through h.
		echo := make([]float64, total)
		for i := range echo {
			for k, hk := range h {
				if j := i + 200 - 40 - k; j >= 0 {
					echo[i] += hk * far[j]
				}
			}
		}
		// The reference handed: alignMargin (32 samples) ahead of the echo, until a
		// realignment at 3.5 s takes it shift samples further back.
		refAt := func(i int) float64 {
			off := 200 - 32
			if i >= 35*rate/10 {
				off -= shift
			}
			return far[i+off]
		}
		mic, ref, out := make([]int16, n), make([]int16, n), make([]int16, n)
		outAll := make([]float64, total)
		for b := 0; b*n < total; b++ {
			for i := range n {
				k := b*n + i
				v := 0.0
				if k >= 2*rate {
					v = 3000 * math.Sin(2*math.Pi*1000*float64(k)/rate)
				}
				mic[i] = int16(echo[k] + v)
				ref[i] = int16(refAt(k))
			}
			if err := p.Process(out, mic, ref); err != nil {
				t.Fatal(err)
			}
			for i, v := range out {
				outAll[b*n+i] = float64(v)
			}
		}
		lat := p.Latency()
		last := outAll[total-2*rate : total-lat]
		e := toneLevel(echo[total-2*rate-lat:total-2*lat], rate, 400)
		loss := 20 * math.Log10(e/math.Max(toneLevel(last, rate, 400), 1e-3))
		st := p.Stats()
		t.Logf("shift %d: echo loss at 400 Hz in the last 2 s %.1f dB; ERLE %.1f, suppression %.1f", shift, loss, st.ERLE, st.Suppression)
		if loss < 40 {
			t.Errorf("shift %d samples: the far end's tone came back only %.1f dB below its echo (want >= 40)", shift, loss)
		}
	}
}
