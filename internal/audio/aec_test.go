package audio

import (
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/doorsip/intercom/media"
	"github.com/doorsip/intercom/voice"
)

// wavBytes is a 16-bit PCM WAV file of s (interleaved).
func wavBytes(rate, channels int, s []int16) []byte {
	b := make([]byte, 44+2*len(s))
	copy(b, "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+2*len(s)))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1)
	binary.LittleEndian.PutUint16(b[22:], uint16(channels))
	binary.LittleEndian.PutUint32(b[24:], uint32(rate))
	binary.LittleEndian.PutUint32(b[28:], uint32(rate*channels*2))
	binary.LittleEndian.PutUint16(b[32:], uint16(channels*2))
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(2*len(s)))
	for i, v := range s {
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(v))
	}
	return b
}

// echoScene is seconds of far-end noise bursts at rate and the microphone hearing them
// through a short decaying room response, delay late, with a near-end tone from nearFrom.
func echoScene(rate int, seconds, delay, nearFrom float64) (far, mic []int16) {
	rng := rand.New(rand.NewPCG(7, 9))
	n := int(seconds * float64(rate))
	far = make([]int16, n)
	for i := range far {
		// Speech-like: noise in 300 ms syllables with gaps.
		if (i/(rate*3/10))%3 != 2 {
			far[i] = int16(rng.NormFloat64() * 3000)
		}
	}
	h := make([]float64, rate/50) // 20 ms tail
	for k := range h {
		h[k] = 0.5 * math.Exp(-float64(k)/float64(rate/400)) * (rng.Float64()*2 - 1)
	}
	h[0] = 0.6
	d := int(delay * float64(rate))
	mic = make([]int16, n)
	for i := range mic {
		var acc float64
		for k, hk := range h {
			if j := i - d - k; j >= 0 {
				acc += hk * float64(far[j])
			}
		}
		if t := float64(i) / float64(rate); t >= nearFrom {
			acc += 2000 * math.Sin(2*math.Pi*440*t)
		}
		mic[i] = int16(max(-32768, min(32767, acc)))
	}
	return far, mic
}

func TestProcessWAV(t *testing.T) {
	far, mic := echoScene(16000, 8, 0.03, 6)
	cfg := voice.Defaults()
	cfg.AGC = false
	out, res, err := ProcessWAV(wavBytes(16000, 1, far), wavBytes(16000, 1, mic), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rate != 16000 || len(out) != len(mic) || res.Samples != len(mic) {
		t.Fatalf("rate %d, %d samples out for %d in", res.Rate, len(out), len(mic))
	}
	// Echo only (seconds 4-6): how far the output is below the microphone.
	seg := func(s []int16, a, b float64) []int16 { return s[int(a*16000):int(b*16000)] }
	loss := media.Level(seg(mic, 4, 6)) - media.Level(seg(out, 4, 6))
	// Near end (seconds 6.5-8, the far end still talking): the tone must survive.
	near := media.Level(seg(out, 6.5, 8)) - media.Level(seg(mic, 6.5, 8))
	t.Logf("echo loss %.1f dB after 4 s, near end %.1f dB, stats %+v", loss, near, res.Stats)
	if loss < 20 {
		t.Errorf("echo loss %.1f dB, want >= 20", loss)
	}
	if near < -20 { // survives; how well is the acoustics benchmark's figure
		t.Errorf("near-end speech attenuated by %.1f dB during double talk", -near)
	}
}

// TestProcessWAVOff: with everything off the output is the microphone, sample for sample;
// a 48 kHz stereo far end is brought down to the microphone's 16 kHz.
func TestProcessWAVOff(t *testing.T) {
	far, mic := echoScene(16000, 1, 0.01, 0.5)
	far48 := make([]int16, 6*len(far))
	for i, v := range far {
		for k := range 6 {
			far48[6*i+k] = v
		}
	}
	cfg := voice.Config{Echo: voice.EchoOff, Noise: voice.NoiseOff, EchoTail: voice.Defaults().EchoTail, AGCTarget: -18}
	out, res, err := ProcessWAV(wavBytes(48000, 2, far48), wavBytes(16000, 1, mic), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rate != 16000 {
		t.Fatalf("rate %d", res.Rate)
	}
	for i := range mic {
		if out[i] != mic[i] {
			t.Fatalf("sample %d: %d, mic %d", i, out[i], mic[i])
		}
	}
}

func TestProcessWAVErrors(t *testing.T) {
	ok := wavBytes(16000, 1, make([]int16, 1600))
	for _, tt := range []struct {
		name     string
		far, mic []byte
		want     error
	}{
		{"44.1 kHz", wavBytes(44100, 1, make([]int16, 4410)), ok, ErrRecordingRate},
		{"8 and 11 kHz", ok, wavBytes(11025, 1, make([]int16, 1100)), ErrRecordingRate},
		{"not a wav", []byte("hello"), ok, media.ErrWAV},
		{"mic not a wav", ok, nil, media.ErrWAV},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ProcessWAV(tt.far, tt.mic, voice.Defaults())
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestProcessWAVFiles(t *testing.T) {
	dir := t.TempDir()
	far, mic := echoScene(8000, 1, 0.01, 0.5)
	fp, mp, op := filepath.Join(dir, "far.wav"), filepath.Join(dir, "mic.wav"), filepath.Join(dir, "out.wav")
	os.WriteFile(fp, wavBytes(8000, 1, far), 0o644)
	os.WriteFile(mp, wavBytes(8000, 1, mic), 0o644)
	res, err := ProcessWAVFiles(fp, mp, op, voice.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(op)
	if err != nil {
		t.Fatal(err)
	}
	f, s, err := media.ParseWAV(b)
	if err != nil || f != (media.Format{Rate: 8000, Channels: 1}) || len(s) != len(mic) || res.Rate != 8000 {
		t.Errorf("output %+v, %d samples, %v; result %+v", f, len(s), err, res)
	}
	if _, err := ProcessWAVFiles(filepath.Join(dir, "none.wav"), mp, op, voice.Defaults()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing far file: %v", err)
	}
}

// FuzzProcessWAV: two files of any content are processed or refused, never a panic, and
// what comes out is as long as the microphone.
func FuzzProcessWAV(f *testing.F) {
	far, mic := echoScene(8000, 0.1, 0.01, 0.05)
	f.Add(wavBytes(8000, 1, far), wavBytes(8000, 1, mic))
	f.Add(wavBytes(16000, 2, far), wavBytes(48000, 1, mic))
	f.Add(wavBytes(8000, 1, nil), wavBytes(8000, 1, []int16{32767, -32768}))
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVE"), []byte{})
	f.Fuzz(func(t *testing.T, far, mic []byte) {
		if len(far)+len(mic) > 1<<16 {
			return
		}
		out, res, err := ProcessWAV(far, mic, voice.Defaults())
		if err == nil && len(out) != res.Samples {
			t.Fatalf("%d samples out, result says %d", len(out), res.Samples)
		}
	})
}
