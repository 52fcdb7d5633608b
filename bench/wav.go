//go:build linux

package main

import (
	"encoding/binary"
	"math"
	"os"
)

// writeWAV writes seconds of 8 kHz mono 16-bit PCM: a 440 Hz tone with a slow 3 Hz swell, so
// the encoder sees changing samples (not a constant that a codec might shortcut).
func writeWAV(path string, seconds int) error {
	const rate = 8000
	n := rate * seconds
	b := make([]byte, 44+2*n)
	copy(b[0:], "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+2*n))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1) // PCM
	binary.LittleEndian.PutUint16(b[22:], 1) // mono
	binary.LittleEndian.PutUint32(b[24:], rate)
	binary.LittleEndian.PutUint32(b[28:], rate*2)
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(2*n))
	for i := 0; i < n; i++ {
		t := float64(i) / rate
		amp := 6000 + 4000*math.Sin(2*math.Pi*3*t)
		v := int16(amp * math.Sin(2*math.Pi*440*t))
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(v))
	}
	return os.WriteFile(path, b, 0o644)
}
