package demo

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
)

// analyse reads a 16-bit PCM WAV recording and returns its dominant frequency (10 Hz steps)
// and RMS level in dBFS, ignoring the silence before and after the call's audio.
func analyse(path string) (hz, dbfs float64, err error) {
	pcm, rate, err := readWAV(path)
	if err != nil {
		return 0, 0, err
	}
	first, last := -1, -1
	for i, v := range pcm {
		if v > 200 || v < -200 {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 || last-first < rate/10 {
		return 0, -100, fmt.Errorf("%w: %s holds no audio", ErrFailed, path)
	}
	pcm = pcm[first : last+1]
	var sum float64
	for _, v := range pcm {
		f := float64(v) / 32768
		sum += f * f
	}
	dbfs = 10 * math.Log10(sum/float64(len(pcm)))
	if len(pcm) > rate {
		pcm = pcm[:rate] // one second is plenty for 10 Hz resolution
	}
	best := 0.0
	for f := 100.0; f <= 3400; f += 10 {
		if p := goertzel(pcm, f, rate); p > best {
			best, hz = p, f
		}
	}
	return hz, dbfs, nil
}

func goertzel(pcm []int16, hz float64, rate int) float64 {
	k := 2 * math.Cos(2*math.Pi*hz/float64(rate))
	var s1, s2 float64
	for _, v := range pcm {
		s := float64(v) + k*s1 - s2
		s2, s1 = s1, s
	}
	return s1*s1 + s2*s2 - k*s1*s2
}

// readWAV returns the first channel of a 16-bit PCM WAV file.
func readWAV(path string) ([]int16, int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, 0, errors.New("demo: " + path + " is not a WAV file")
	}
	var rate, channels, bits int
	for p := 12; p+8 <= len(b); {
		id, size := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:]))
		body := b[p+8 : min(len(b), p+8+size)]
		switch id {
		case "fmt ":
			if len(body) < 16 {
				return nil, 0, errors.New("demo: short fmt chunk in " + path)
			}
			channels = int(binary.LittleEndian.Uint16(body[2:]))
			rate = int(binary.LittleEndian.Uint32(body[4:]))
			bits = int(binary.LittleEndian.Uint16(body[14:]))
		case "data":
			if bits != 16 || channels < 1 || rate == 0 {
				return nil, 0, fmt.Errorf("demo: %s: want 16-bit PCM, got %d bits, %d channels", path, bits, channels)
			}
			n := len(body) / 2 / channels
			out := make([]int16, n)
			for i := range out {
				out[i] = int16(binary.LittleEndian.Uint16(body[i*2*channels:]))
			}
			return out, rate, nil
		}
		p += 8 + size + size&1
	}
	return nil, 0, errors.New("demo: no data chunk in " + path)
}
