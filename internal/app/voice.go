package app

import (
	"github.com/doorsip/intercom/internal/audio"
	"github.com/doorsip/intercom/internal/control"
	"github.com/doorsip/intercom/media"
)

// voiceStats maps the hands-free figures onto the control protocol's.
func voiceStats(v audio.VoiceStats) *control.VoiceStats {
	return &control.VoiceStats{
		ERLEDB:        trunc1(v.ERLE),
		SuppressionDB: trunc1(v.Suppression),
		NoiseDBFS:     trunc1(max(v.Noise, media.LevelFloor)), // digital silence: the floor call levels use
		GainDB:        trunc1(v.Gain),
		HalfDuplex:    v.HalfDuplex,
		Converged:     v.Converged,
		DelayMS:       ms1(v.Alignment + v.Delay),
		AlignMS:       ms1(v.Alignment),
		Realigned:     v.Realigned,
		Resets:        v.Resets,

		SpeakerCompressionDB: trunc1(v.SpeakerCompression),
		DriftPPM:             trunc1(v.Drift),
	}
}
