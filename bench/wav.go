//go:build linux

package main

import (
	"math"

	"github.com/doorsip/intercom/media"
)

// writeWAV writes seconds of 8 kHz mono 16-bit PCM: a 440 Hz tone with a slow 3 Hz swell, so
// the encoder sees changing samples (not a constant that a codec might shortcut).
func writeWAV(path string, seconds int) error {
	const rate = 8000
	pcm := make([]int16, rate*seconds)
	for i := range pcm {
		t := float64(i) / rate
		amp := 6000 + 4000*math.Sin(2*math.Pi*3*t)
		pcm[i] = int16(amp * math.Sin(2*math.Pi*440*t))
	}
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
