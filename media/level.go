package media

import "math"

// Silence floor for Level: what an all-zero frame reports instead of -Inf.
const LevelFloor = -96.0

// Level returns the RMS level of pcm in dBFS (0 = a full-scale square wave), LevelFloor for
// silence or an empty frame.
func Level(pcm []int16) float64 {
	if len(pcm) == 0 {
		return LevelFloor
	}
	var sum float64
	for _, v := range pcm {
		x := float64(v)
		sum += x * x
	}
	rms := math.Sqrt(sum/float64(len(pcm))) / 32768
	if rms <= 0 {
		return LevelFloor
	}
	db := 20 * math.Log10(rms)
	if db < LevelFloor {
		return LevelFloor
	}
	return db
}
