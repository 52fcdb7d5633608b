package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/doorsip/intercom/internal/audio"
	"github.com/doorsip/intercom/voice"
)

// audioEcho is the echo half of `intercom audio test`.
func audioEcho(ctx context.Context, capture, playback string, tc audio.TestConfig, vc voice.Config, stdout, stderr io.Writer) int {
	res, err := audio.MeasureEcho(ctx, capture, playback, tc, vc)
	if err != nil {
		fmt.Fprintln(stderr, "intercom audio test: echo:", err)
		if errors.Is(err, audio.ErrNoEcho) {
			fmt.Fprintln(stderr, "  the microphone did not hear the speaker: muted, unplugged, or the mixer is down (see intercom audio list)")
		}
		return 1
	}
	printEcho(stdout, res, vc)
	return 0
}

func printEcho(w io.Writer, res audio.EchoResult, vc voice.Config) {
	fmt.Fprintf(w, "echo path: delay %.1f ms beyond the cards' queues (%.1f ms between the streams), coupling %.1f dB, needs echo_tail >= %s (configured %s)\n",
		float64(res.Delay.Microseconds())/1000, float64(res.Queues.Microseconds())/1000, res.CouplingDB, res.Tail, vc.EchoTail)
	fmt.Fprintf(w, "canceller: echo loss %.1f dB over the last second at %d Hz (ERLE estimate %.1f dB), xruns %d\n",
		res.EchoLossDB, res.Rate, res.ERLE, res.Xruns)
	switch {
	case res.Tail > voice.MaxTail:
		fmt.Fprintf(w, "  the echo rings longer than the longest tail (%s): a reverberant box or a feedback path; damp it\n", voice.MaxTail)
	case res.Tail > vc.EchoTail:
		fmt.Fprintf(w, "  set [audio] echo_tail = %q: the configured tail is shorter than the echo\n", res.Tail.String())
	}
	if res.Xruns > 0 {
		fmt.Fprintf(w, "  %d xruns during the measurement shifted the streams: the figures are unreliable; run it again on an idle system\n", res.Xruns)
	}
	if res.CouplingDB > -3 {
		fmt.Fprintln(w, "  the microphone hears the speaker almost as loud as played: lower the volume or decouple them; echo_cancel = \"half-duplex\" if echo remains")
	}
}
