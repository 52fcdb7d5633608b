package voice

import (
	"math"
	"testing"
)

// softClip is a loudspeaker driven hot: tanh(k x)/k on full-scale units.
func softClip(x []float64, k float64) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = math.Tanh(k*v/fullScale) / k * fullScale
	}
	return y
}

func TestClippingSpeakerLearnt(t *testing.T) {
	// A talker peaking near full scale through a speaker that compresses its peaks by
	// 6-8 dB: the linear filter alone leaves the harmonics; the learnt curve takes them.
	for _, rate := range []int{8000, 16000} {
		ref := speechLike(21, 6*rate, rate, 4000)
		echo := convolve(softClip(ref, 5), roomResponse(22, rate, rate/400, rate/10, 0.15, 1))
		mic := add(echo, whiteNoise(23, len(ref), 3))
		without := newP(t, echoOnly(), rate)
		without.spk = nil
		outOff, _ := run(t, without, mic, ref)
		p := newP(t, echoOnly(), rate)
		out, _ := run(t, p, mic, ref)
		off, on := lossAt(echo, outOff, rate, 3, 6), lossAt(echo, out, rate, 3, 6)
		k := math.Sqrt(p.spk.a)
		comp := p.Stats().SpeakerCompression
		t.Logf("%d Hz: echo loss 3-6 s %.1f dB without the curve, %.1f dB with it; k learnt %.1f (5), a -6 dBFS peak %.1f dB lower (8.1)", rate, off, on, k, comp)
		if comp < 7 || comp > 9 {
			t.Errorf("%d Hz: Stats.SpeakerCompression %.1f dB (want 7-9)", rate, comp)
		}
		// Measured: 8 kHz 33.5 -> 49.3 dB, k 5.1; 16 kHz 26.5 -> 50.9 dB, k 5.0.
		if on < 45 || on < off+12 || k < 4.5 || k > 5.5 {
			t.Errorf("%d Hz: echo loss %.1f dB with the curve (%.1f without; want >= 45 and 12 dB more), k %.1f (want 4.5-5.5)", rate, on, off, k)
		}
	}
}

func TestLinearSpeakerKeepsCurveOff(t *testing.T) {
	// The same talker through a linear speaker, alone and with a visitor, at -18 dBFS rms,
	// -13 (peaks at full scale) and -36: the curve never comes on.
	for _, tc := range []struct{ rate, rms int }{{8000, 4000}, {16000, 4000}, {16000, 7000}, {16000, 500}} {
		rate := tc.rate
		ref := speechLike(21, 8*rate, rate, float64(tc.rms))
		echo := convolve(ref, roomResponse(22, rate, rate/400, rate/10, 0.15, 1))
		near := speechLike(24, 8*rate, rate, 2000)
		clear(near[:4*rate])
		mic := add(add(echo, near), whiteNoise(23, len(ref), 3))
		p := newP(t, echoOnly(), rate)
		m, r := toInt16(mic), toInt16(ref)
		o := make([]int16, p.BlockSize())
		for i := 0; i+len(o) <= len(m); i += len(o) {
			if err := p.Process(o, m[i:i+len(o)], r[i:i+len(o)]); err != nil {
				t.Fatal(err)
			}
			if p.spk.a != 0 || p.Stats().SpeakerCompression != 0 {
				t.Fatalf("%d Hz, rms %d: curve on (a %.1f) at %.2f s", rate, tc.rms, p.spk.a, float64(i)/float64(rate))
			}
		}
	}
}

func TestClippingSpeakerWithVisitor(t *testing.T) {
	// The clipping speaker with a visitor talking from 4 s: the curve is still learnt (the
	// visitor's blocks are left out or weigh little) and the visitor passes as with a linear
	// speaker.
	rate := 16000
	ref := speechLike(21, 8*rate, rate, 4000)
	room := roomResponse(22, rate, rate/400, rate/10, 0.15, 1)
	near := speechLike(24, 8*rate, rate, 2000)
	clear(near[:4*rate])
	noise := whiteNoise(23, len(ref), 3)
	var att [2]float64
	for i, spk := range [][]float64{ref, softClip(ref, 5)} {
		mic := add(add(convolve(spk, room), near), noise)
		p := newP(t, echoOnly(), rate)
		out, _ := run(t, p, mic, ref)
		a, b := 5*rate, 8*rate-rate/10
		att[i] = db(energy(near[a:b])) - db(energy(out[a:b]))
		if i == 1 {
			k := math.Sqrt(p.spk.a)
			t.Logf("near end %.1f dB lower with a linear speaker, %.1f dB with the clipping one; k %.1f (5)", att[0], att[1], k)
			if k < 4.5 || k > 5.5 {
				t.Errorf("k learnt %.1f with a visitor (want 4.5-5.5)", k)
			}
		}
	}
	if att[1] > att[0]+1 {
		t.Errorf("near end %.1f dB lower with the clipping speaker, %.1f with a linear one (want within 1 dB)", att[1], att[0])
	}
}
