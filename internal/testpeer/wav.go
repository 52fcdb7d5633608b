package testpeer

import (
	"math"
	"testing"

	"github.com/doorsip/intercom/media"
)

// WriteToneWAV writes seconds of an hz sine as 8 kHz mono 16-bit PCM WAV and returns its
// path; peers use it as their audio source.
func WriteToneWAV(t testing.TB, path string, hz, seconds int) string {
	t.Helper()
	const rate = 8000
	pcm := make([]int16, rate*seconds)
	for i := range pcm {
		pcm[i] = int16(8000 * math.Sin(2*math.Pi*float64(hz)*float64(i)/rate))
	}
	if err := writeWAV(path, rate, pcm); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeWAV stores mono samples with media's WAV writer (the same one the intercom records
// with), so the header is written in one place.
func writeWAV(path string, rate int, pcm []int16) error {
	w, err := media.CreateWAV(path, media.Format{Rate: rate, Channels: 1})
	if err != nil {
		return err
	}
	if _, err := w.Write(pcm); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}
