package app

import (
	"github.com/doorsip/intercom/internal/audio"
	"github.com/doorsip/intercom/internal/control"
)

// voiceStats maps the hands-free figures onto the control protocol's.
func voiceStats(v audio.VoiceStats) *control.VoiceStats {
	return &control.VoiceStats{
		ERLEDB:        round1(v.ERLE),
		SuppressionDB: round1(v.Suppression),
		NoiseDBFS:     round1(v.Noise),
		GainDB:        round1(v.Gain),
		HalfDuplex:    v.HalfDuplex,
		Converged:     v.Converged,
		DelayMS:       ms1(v.Delay),
		Realigned:     v.Realigned,
		Resets:        v.Resets,
	}
}
