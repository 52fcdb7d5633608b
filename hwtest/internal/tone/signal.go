package tone

import "math"

// Sine fills x with a sine of hz at the given rate and peak amplitude, starting at phase
// sample index start (so consecutive blocks join without a click).
func Sine(x []int16, rate, hz int, amp float64, start int) {
	w := 2 * math.Pi * float64(hz) / float64(rate)
	for i := range x {
		x[i] = int16(math.Round(amp * math.Sin(w*float64(start+i))))
	}
}

// Pattern fills x with a deterministic pseudo-random sequence (a 32-bit LCG) that never
// contains a zero sample, so it cannot be mistaken for the silence around it.
func Pattern(x []int16, seed uint32) {
	s := seed
	for i := range x {
		s = s*1664525 + 1013904223
		v := int16(s >> 16)
		if v == 0 {
			v = 1
		}
		x[i] = v
	}
}

// Find returns the index in got where want starts (its first 16 samples must match
// exactly), or -1. A loopback adds a variable lead-in of silence before the pattern.
func Find(got, want []int16) int {
	k := min(16, len(want))
	if k == 0 {
		return -1
	}
outer:
	for i := 0; i+k <= len(got); i++ {
		for j := range k {
			if got[i+j] != want[j] {
				continue outer
			}
		}
		return i
	}
	return -1
}

// Mismatch counts the samples of want that differ from got at offset, including those
// past the end of got.
func Mismatch(got, want []int16, offset int) int {
	bad := 0
	for j, w := range want {
		i := offset + j
		if i < 0 || i >= len(got) || got[i] != w {
			bad++
		}
	}
	return bad
}
