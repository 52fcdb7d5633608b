package audio

import (
	"errors"
	"strings"
	"time"

	"github.com/doorsip/intercom/alsa"
	"github.com/doorsip/intercom/internal/cfgerr"
	"github.com/doorsip/intercom/voice"
)

// Config is the [audio] section: where call audio comes from and goes to.
type Config struct {
	// Capture is "hw:CARD,DEV" (ALSA), "tone:HZ" (a test tone), "file:PATH.wav" or "silence".
	Capture string
	// Playback is "hw:CARD,DEV", "null" or "file:PATH.wav".
	Playback string
	// Volume and MicGain are mixer percentages applied at start; -1 leaves the mixer alone.
	Volume  int
	MicGain int
	// Period is the ALSA period (10ms or 20ms); Periods is the buffer length in periods.
	Period  time.Duration
	Periods int
	// Voice is the hands-free processing (echo cancel, noise suppression, AGC) applied
	// between the sound cards and the call when capture and playback are both hw: devices.
	Voice voice.Config
	// VoiceOnTestDevices runs Voice on tone, file, silence and null devices too, as if they
	// were sound cards: the bench measures what the chain costs in a call with it. Off, they
	// pass as they are.
	VoiceOnTestDevices bool
}

// Defaults returns the Config used for keys the file leaves out.
func Defaults() Config {
	return Config{Capture: "hw:0,0", Playback: "hw:0,0", Volume: -1, MicGain: -1, Period: 20 * time.Millisecond, Periods: 4, Voice: voice.Defaults()}
}

// Validate reports every problem in c, joined.
func (c Config) Validate() error {
	var errs []error
	if err := checkDevice(c.Capture, true); err != nil {
		errs = append(errs, cfgerr.New("capture", "%w", err))
	}
	if err := checkDevice(c.Playback, false); err != nil {
		errs = append(errs, cfgerr.New("playback", "%w", err))
	}
	if (c.Capture == "echo") != (c.Playback == "echo") {
		errs = append(errs, cfgerr.New("playback", "%q with capture %q: echo loops a call back to itself, so both must be \"echo\"", c.Playback, c.Capture))
	}
	if c.Volume < -1 || c.Volume > 100 {
		errs = append(errs, cfgerr.New("volume", "%d is out of range (expected 0 to 100, or -1 to leave the mixer alone)", c.Volume))
	}
	if c.MicGain < -1 || c.MicGain > 100 {
		errs = append(errs, cfgerr.New("mic_gain", "%d is out of range (expected 0 to 100, or -1 to leave the mixer alone)", c.MicGain))
	}
	if c.Period != 10*time.Millisecond && c.Period != 20*time.Millisecond {
		errs = append(errs, cfgerr.New("period", "%s is not supported (expected 10ms or 20ms)", c.Period))
	}
	if c.Periods < 2 || c.Periods > 8 {
		errs = append(errs, cfgerr.New("periods", "%d is out of range (expected 2 to 8)", c.Periods))
	}
	errs = append(errs, c.Voice.Validate())
	return errors.Join(errs...)
}

// Spec is a parsed device string.
type Spec struct {
	Kind string // "hw", "tone", "file", "null", "silence"
	Arg  string // "0,0", "440", path
}

// ParseSpec splits "kind:arg".
func ParseSpec(s string) Spec {
	k, a, _ := strings.Cut(s, ":")
	return Spec{Kind: k, Arg: a}
}

func checkDevice(s string, capture bool) error {
	sp := ParseSpec(s)
	switch sp.Kind {
	case "hw", "plughw":
		if sp.Arg == "" {
			return errorf("%q names no card (expected hw:CARD,DEVICE such as \"hw:0,0\")", s)
		}
		if _, err := alsa.ParseName(s); err != nil {
			return errorf("%q is not an ALSA device (expected hw:CARD,DEVICE such as \"hw:0,0\" or \"hw:Loopback,1\")", s)
		}
	case "file":
		if sp.Arg == "" || !strings.HasSuffix(strings.ToLower(sp.Arg), ".wav") {
			return errorf("%q is not a .wav path (expected file:/path/name.wav)", s)
		}
	case "tone":
		if !capture {
			return errorf("%q: tone is a capture source (expected hw:, null or file:)", s)
		}
		if err := checkHz(sp.Arg); err != nil {
			return errorf("%q: %v", s, err)
		}
	case "echo":
		// The far end hears itself: capture and playback are one loop (intercom echo).
	case "silence":
		if !capture {
			return errorf("%q: silence is a capture source (expected null for playback)", s)
		}
	case "null":
		if capture {
			return errorf("%q: null is a playback sink (expected silence for capture)", s)
		}
	default:
		if capture {
			return errorf("%q is not a capture device (expected hw:CARD,DEV, tone:HZ, file:PATH.wav or silence)", s)
		}
		return errorf("%q is not a playback device (expected hw:CARD,DEV, null or file:PATH.wav)", s)
	}
	return nil
}
