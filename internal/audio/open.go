package audio

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/doorsip/intercom/alsa"
	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/media"
	"github.com/doorsip/intercom/voice"
)

// Options are what the audio glue needs from its owner.
type Options struct {
	Logger *slog.Logger
	Clock  clock.Clock
	// Format is what non-hardware devices produce and take; zero means 8 kHz mono, the
	// G.711 rate, so the demo's path needs no resampling.
	Format media.Format
	// OpenPCM opens an ALSA device; nil means alsa.OpenPCM. Tests pass alsatest fakes.
	OpenPCM func(name string, dir alsa.Direction, want alsa.Params) (*alsa.PCM, error)

	// newProc builds the hands-free processor; nil means voice.New. Tests record with it.
	newProc func(voice.Config, int) (processor, error)
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.OpenPCM == nil {
		o.OpenPCM = alsa.OpenPCM
	}
	if o.Format.Rate == 0 {
		o.Format = media.Format{Rate: 8000, Channels: 1}
	}
	return o
}

// OpenCapture opens the [audio] capture device: an ALSA hw: device, a tone, a WAV file or
// silence.
func OpenCapture(cfg Config, opts Options) (media.Capture, error) {
	opts = opts.withDefaults()
	sp := ParseSpec(cfg.Capture)
	switch sp.Kind {
	case "hw", "plughw":
		return openHWCapture(cfg, opts)
	case "tone":
		hz, err := strconv.Atoi(sp.Arg)
		if err != nil {
			return nil, fmt.Errorf("audio: capture %q: %w", cfg.Capture, err)
		}
		return media.NewTone(hz, opts.Format, opts.Clock), nil
	case "silence":
		return media.NewSilence(opts.Format, opts.Clock), nil
	case "file":
		return media.OpenWAV(sp.Arg, opts.Clock)
	}
	return nil, fmt.Errorf("audio: capture %q: %w", cfg.Capture, ErrUnknownDevice)
}

// OpenPlayback opens the [audio] playback device: an ALSA hw: device, a WAV file or null.
func OpenPlayback(cfg Config, opts Options) (media.Playback, error) {
	opts = opts.withDefaults()
	sp := ParseSpec(cfg.Playback)
	switch sp.Kind {
	case "hw", "plughw":
		return openHWPlayback(cfg, opts)
	case "null":
		return media.NewNull(opts.Format, opts.Clock), nil
	case "file":
		w, err := media.CreateWAV(sp.Arg, opts.Format)
		if err != nil {
			return nil, err
		}
		return pacedFile{Playback: w, pace: media.NewNull(opts.Format, opts.Clock)}, nil
	}
	return nil, fmt.Errorf("audio: playback %q: %w", cfg.Playback, ErrUnknownDevice)
}

// periodFrames is the ALSA period for a rate: cfg.Period of audio.
func periodFrames(cfg Config, rate int) int {
	return int(int64(rate) * int64(cfg.Period) / int64(time.Second))
}

// pacedFile records to a WAV file at the speed a sound card would play: a file takes writes
// as fast as they come, and the media loop is paced by its playback device.
type pacedFile struct {
	media.Playback
	pace media.Playback
}

func (p pacedFile) Write(frames []int16) (int, error) {
	n, err := p.Playback.Write(frames)
	if err != nil {
		return n, err
	}
	return p.pace.Write(frames[:n*max(p.Format().Channels, 1)])
}

// ClockPaced: the pace is a clock, not a card (see media.ClockPaced).
func (p pacedFile) ClockPaced() bool { return true }

func (p pacedFile) Close() error { return errors.Join(p.Playback.Close(), p.pace.Close()) }
