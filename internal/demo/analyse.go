package demo

import (
	"fmt"
	"math"
	"os"

	"github.com/doorsip/intercom/media"
)

// analyse reads a 16-bit PCM WAV recording (its first channel) and returns its dominant
// frequency (10 Hz steps) and RMS level in dBFS, ignoring the silence before and after the
// call's audio.
func analyse(path string) (hz, dbfs float64, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	f, pcm, err := media.ParseWAV(b)
	if err != nil {
		return 0, 0, err
	}
	rate := f.Rate
	if f.Channels > 1 {
		mono := make([]int16, len(pcm)/f.Channels)
		for i := range mono {
			mono[i] = pcm[i*f.Channels]
		}
		pcm = mono
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
	dbfs = media.Level(pcm)
	if len(pcm) > rate {
		pcm = pcm[:rate] // one second is plenty for 10 Hz resolution
	}
	best := 0.0
	for try := 100.0; try <= 3400; try += 10 {
		if p := goertzel(pcm, try, rate); p > best {
			best, hz = p, try
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
