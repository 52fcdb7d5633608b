package main

import (
	"encoding/binary"
	"fmt"
	"os"
)

// readWAV reads a 16-bit mono PCM WAV (what espeak-ng writes) into floats in [-1, 1).
func readWAV(path string) ([]float64, int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	return parseWAV(path, b)
}

// parseWAV walks the RIFF chunks of b (named path in errors) to the data chunk.
func parseWAV(path string, b []byte) ([]float64, int, error) {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, 0, fmt.Errorf("%s: %w", path, errWAV)
	}
	rate := 0
	for p := 12; p+8 <= len(b); {
		id, n := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:]))
		body := b[p+8:]
		if n < 0 || n > len(body) { // espeak-ng writing to a pipe leaves the sizes at their maximum
			n = len(body)
		}
		body = body[:n]
		switch id {
		case "fmt ":
			if n < 16 || binary.LittleEndian.Uint16(body[0:]) != 1 || binary.LittleEndian.Uint16(body[2:]) != 1 ||
				binary.LittleEndian.Uint16(body[14:]) != 16 {
				return nil, 0, fmt.Errorf("%s: %w", path, errWAV)
			}
			rate = int(binary.LittleEndian.Uint32(body[4:]))
		case "data":
			if rate == 0 {
				return nil, 0, fmt.Errorf("%s: data before fmt: %w", path, errWAV)
			}
			x := make([]float64, n/2)
			for i := range x {
				x[i] = float64(int16(binary.LittleEndian.Uint16(body[2*i:]))) / 32768
			}
			return x, rate, nil
		}
		p += 8 + n + n&1
	}
	return nil, 0, fmt.Errorf("%s: no data chunk: %w", path, errWAV)
}

// writeWAV writes 16-bit mono PCM samples.
func writeWAV(path string, rate int, x []int16) error {
	b := make([]byte, 44+2*len(x))
	copy(b[0:], "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+2*len(x)))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1)
	binary.LittleEndian.PutUint16(b[22:], 1)
	binary.LittleEndian.PutUint32(b[24:], uint32(rate))
	binary.LittleEndian.PutUint32(b[28:], uint32(2*rate))
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(2*len(x)))
	for i, v := range x {
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(v))
	}
	return os.WriteFile(path, b, 0o644)
}

// writeRaw and readRaw move headerless little-endian 16-bit samples to and from the helpers.
func writeRaw(path string, x []int16) error {
	b := make([]byte, 2*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
	}
	return os.WriteFile(path, b, 0o644)
}

func readRaw(path string, n int) ([]int16, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) != 2*n {
		return nil, fmt.Errorf("acoustics: %s holds %d samples, expected %d", path, len(b)/2, n)
	}
	x := make([]int16, n)
	for i := range x {
		x[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return x, nil
}

// toInt16 rounds and saturates floats in [-1, 1) to 16-bit samples.
func toInt16(x []float64) []int16 {
	y := make([]int16, len(x))
	for i, v := range x {
		v *= 32768
		switch {
		case v >= 32767:
			y[i] = 32767
		case v <= -32768:
			y[i] = -32768
		case v >= 0:
			y[i] = int16(v + 0.5)
		default:
			y[i] = int16(v - 0.5)
		}
	}
	return y
}

func toFloat(x []int16) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v) / 32768
	}
	return y
}
