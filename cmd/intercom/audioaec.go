package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/doorsip/intercom/internal/audio"
	"github.com/doorsip/intercom/voice"
)

// audioAEC implements `intercom audio aec`: the call's hands-free processing on recordings.
func audioAEC(args []string, stdout, stderr io.Writer) int {
	def := voice.Defaults()
	fs := flag.NewFlagSet("audio aec", flag.ContinueOnError)
	fs.SetOutput(stderr)
	far := fs.String("far", "", "what the loudspeaker played (WAV)")
	mic := fs.String("mic", "", "what the microphone heard at the same time (WAV)")
	out := fs.String("out", "", "where the processed microphone goes (WAV, mono)")
	tail := fs.Duration("tail", def.EchoTail, "longest echo the canceller models")
	echo := fs.String("echo", def.Echo.String(), "echo canceller: on, off or half-duplex")
	noise := fs.String("noise", def.Noise.String(), "noise suppression: off, low or high")
	agc := fs.Bool("agc", def.AGC, "automatic gain control")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *far == "" || *mic == "" || *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: intercom audio aec -far FAR.wav -mic MIC.wav -out OUT.wav [-tail 128ms] [-echo on|off|half-duplex] [-noise off|low|high] [-agc=true|false]")
		return 2
	}
	cfg := def
	cfg.EchoTail, cfg.AGC = *tail, *agc
	var err error
	if cfg.Echo, err = voice.ParseEchoMode(*echo); err != nil {
		fmt.Fprintf(stderr, "intercom audio aec: -echo %v\n", err)
		return 2
	}
	if cfg.Noise, err = voice.ParseNoiseLevel(*noise); err != nil {
		fmt.Fprintf(stderr, "intercom audio aec: -noise %v\n", err)
		return 2
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintln(stderr, "intercom audio aec:", err)
		return 2
	}
	res, err := audio.ProcessWAVFiles(*far, *mic, *out, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "intercom audio aec:", err)
		return 1
	}
	st := res.Stats
	fmt.Fprintf(stdout, "processed %.2f s at %d Hz (echo %s, tail %s, noise %s, agc %v) into %s\n",
		float64(res.Samples)/float64(res.Rate), res.Rate, cfg.Echo, cfg.EchoTail, cfg.Noise, cfg.AGC, *out)
	fmt.Fprintf(stdout, "levels: far end %.1f dBFS, microphone %.1f dBFS, output %.1f dBFS\n", res.FarDBFS, res.MicDBFS, res.OutDBFS)
	fmt.Fprintf(stdout, "final: ERLE %.1f dB, suppression %.1f dB, echo delay %.1f ms, converged %v, half duplex %v, noise %.1f dBFS, AGC gain %.1f dB\n",
		st.ERLE, st.Suppression, float64(st.Delay.Microseconds())/1000, st.Converged, st.HalfDuplex, max(st.Noise, -96), st.Gain)
	if st.SpeakerCompression > 0 {
		fmt.Fprintf(stdout, "speaker: clipping, a -6 dBFS peak plays %.1f dB lower\n", st.SpeakerCompression)
	}
	if st.Drift >= 1 || st.Drift <= -1 {
		fmt.Fprintf(stdout, "clocks: the microphone's runs %+.1f ppm from the far end's (the reference was resampled by it)\n", st.Drift)
	}
	return 0
}
