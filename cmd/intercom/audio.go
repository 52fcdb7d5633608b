package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/doorsip/intercom/config"
	"github.com/doorsip/intercom/internal/audio"
)

const audioUsage = `usage: intercom audio list | test [flags] | aec -far FAR.wav -mic MIC.wav -out OUT.wav [flags]

  list   print sound cards, their PCM devices and what each supports
  test   play a 1 kHz burst while recording and report the round-trip latency and xruns;
         needs a loopback between the devices (cable, speaker to mic, or snd-aloop:
         -playback hw:Loopback,0 -capture hw:Loopback,1); then (unless -echo=false) play
         3 s of noise and report the echo path: delay, coupling, the echo_tail it needs and
         the echo loss the canceller reaches on it
  aec    run the hands-free processing (echo canceller, noise suppressor, AGC) on recordings:
         what the loudspeaker played and what the microphone heard (16-bit WAV, 8/16 kHz or
         a multiple); writes the processed microphone and prints the canceller's figures
`

// runAudio implements `intercom audio ...`. Device defaults come from the installed config
// (or -config), so on a board `intercom audio test` tests the devices the intercom uses.
func runAudio(args []string, stdout, stderr io.Writer, log *slog.Logger) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, audioUsage)
		return 2
	}
	switch args[0] {
	case "list":
		if err := audio.List(stdout); err != nil {
			fmt.Fprintln(stderr, "intercom audio list:", err)
			return 1
		}
		return 0
	case "test":
		return audioTest(args[1:], stdout, stderr, log)
	case "aec":
		return audioAEC(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, audioUsage)
		return 0
	}
	fmt.Fprintf(stderr, "intercom audio: unknown command %q\n%s", args[0], audioUsage)
	return 2
}

func audioTest(args []string, stdout, stderr io.Writer, log *slog.Logger) int {
	def := audio.Defaults()
	cfgPath := config.DefaultPath
	for i, a := range args { // -config first, so its devices become the flag defaults
		if (a == "-config" || a == "--config") && i+1 < len(args) {
			cfgPath = args[i+1]
		}
	}
	if cfg, err := config.Load(cfgPath); err == nil {
		def = cfg.Audio
	}
	fs := flag.NewFlagSet("audio test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.String("config", cfgPath, "config file whose [audio] devices are the defaults")
	capture := fs.String("capture", def.Capture, "capture device (hw:CARD,DEV)")
	playback := fs.String("playback", def.Playback, "playback device (hw:CARD,DEV)")
	period := fs.Duration("period", def.Period, "ALSA period (10ms or 20ms)")
	periods := fs.Int("periods", def.Periods, "buffer length in periods")
	echo := fs.Bool("echo", true, "also measure the echo path (noise out, impulse response) and the canceller on it")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := audio.Test(ctx, *capture, *playback, audio.TestConfig{Period: *period, Periods: *periods, Logger: log})
	if err != nil {
		fmt.Fprintln(stderr, "intercom audio test:", err)
		if errors.Is(err, audio.ErrNoBurst) {
			fmt.Fprintln(stderr, "  no loopback between the devices, or the speaker/mic is muted (see intercom audio list)")
		}
		return 1
	}
	fmt.Fprintf(stdout, "playback %s: %d Hz x%d, period %d frames x%d\n", *playback,
		res.Playback.Rate, res.Playback.Channels, res.Playback.PeriodFrames, res.Playback.Periods)
	fmt.Fprintf(stdout, "capture  %s: %d Hz x%d, period %d frames x%d\n", *capture,
		res.Capture.Rate, res.Capture.Channels, res.Capture.PeriodFrames, res.Capture.Periods)
	fmt.Fprintf(stdout, "round trip %.1f ms (playback queue %.1f ms), peak %d, xruns %d\n",
		float64(res.RoundTrip.Microseconds())/1000, float64(res.Queued.Microseconds())/1000, res.Peak, res.Xruns)
	if !*echo {
		return 0
	}
	return audioEcho(ctx, *capture, *playback, audio.TestConfig{Period: *period, Periods: *periods, Logger: log}, def.Voice, stdout, stderr)
}
