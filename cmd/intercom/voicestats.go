package main

import (
	"fmt"
	"io"

	"github.com/doorsip/intercom/internal/control"
)

// printVoiceStats prints the hands-free lines of `intercom ctl stats`.
func printVoiceStats(w io.Writer, v *control.VoiceStats) {
	if v == nil {
		fmt.Fprintln(w, "call voice: not processed (test devices, or processing off)")
		return
	}
	state := "converging"
	if v.Converged {
		state = "converged"
	}
	if v.HalfDuplex {
		state += ", half duplex (mic attenuated while the far end talks)"
	}
	fmt.Fprintf(w, "call echo:  ERLE %.1f dB, suppression %.1f dB, %s\n", v.ERLEDB, v.SuppressionDB, state)
	fmt.Fprintf(w, "call delay: echo %.1f ms (%.1f ms of it the cards' queues), realigned %d, xrun resets %d\n",
		v.DelayMS, v.AlignMS, v.Realigned, v.Resets)
	fmt.Fprintf(w, "call mic:   noise %.1f dBFS, AGC gain %.1f dB\n", v.NoiseDBFS, v.GainDB)
	if v.SpeakerCompressionDB > 0 {
		fmt.Fprintf(w, "call speaker: clipping, a -6 dBFS peak plays %.1f dB lower (turn the playback volume down)\n", v.SpeakerCompressionDB)
	}
	if v.DriftPPM >= 1 || v.DriftPPM <= -1 {
		fmt.Fprintf(w, "call clocks: capture runs %+.1f ppm from playback (two cards; the echo reference is resampled by it)\n", v.DriftPPM)
	}
}
