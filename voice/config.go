package voice

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/doorsip/intercom/internal/cfgerr"
)

// EchoMode is what the processor does about the loudspeaker's echo.
type EchoMode int

const (
	// EchoOff sends the microphone as it is.
	EchoOff EchoMode = iota
	// EchoOn runs the adaptive filter and the residual echo suppressor; when the filter
	// cannot reach enough echo loss it falls back to attenuating the microphone while the
	// far end talks, smoothly (soft half duplex).
	EchoOn
	// EchoHalfDuplex always attenuates the microphone while the far end talks, for boxes whose
	// speaker couples too strongly or non-linearly for any filter.
	EchoHalfDuplex
)

var echoModes = []string{"off", "on", "half-duplex"}

func (m EchoMode) String() string {
	if m >= 0 && int(m) < len(echoModes) {
		return echoModes[m]
	}
	return fmt.Sprintf("EchoMode(%d)", int(m))
}

// ParseEchoMode reads "off", "on" or "half-duplex".
func ParseEchoMode(s string) (EchoMode, error) {
	for i, n := range echoModes {
		if s == n {
			return EchoMode(i), nil
		}
	}
	return 0, fmt.Errorf("%q (expected %s)", s, strings.Join(echoModes, ", "))
}

// NoiseLevel is how hard the noise suppressor works.
type NoiseLevel int

const (
	NoiseOff NoiseLevel = iota
	NoiseLow
	NoiseHigh
)

var noiseLevels = []string{"off", "low", "high"}

func (n NoiseLevel) String() string {
	if n >= 0 && int(n) < len(noiseLevels) {
		return noiseLevels[n]
	}
	return fmt.Sprintf("NoiseLevel(%d)", int(n))
}

// ParseNoiseLevel reads "off", "low" or "high".
func ParseNoiseLevel(s string) (NoiseLevel, error) {
	for i, n := range noiseLevels {
		if s == n {
			return NoiseLevel(i), nil
		}
	}
	return 0, fmt.Errorf("%q (expected %s)", s, strings.Join(noiseLevels, ", "))
}

// Limits of the configurable values.
const (
	MinTail = 20 * time.Millisecond
	MaxTail = 500 * time.Millisecond
)

// Config is the voice processing asked for in [audio].
type Config struct {
	Echo EchoMode
	// EchoTail is how long an echo the filter models: the box's acoustic path, not the sound
	// card's buffering (that is taken out by aligning the reference).
	EchoTail time.Duration
	Noise    NoiseLevel
	AGC      bool
	// AGCTarget is the speech level the AGC aims for, in dBFS (negative).
	AGCTarget float64
	// AGCMaxGain bounds the AGC's gain, in dB.
	AGCMaxGain float64
}

// Defaults is what a door station ships with: echo cancelled, mild noise suppression, AGC on.
func Defaults() Config {
	return Config{Echo: EchoOn, EchoTail: 128 * time.Millisecond, Noise: NoiseLow, AGC: true, AGCTarget: -18, AGCMaxGain: 24}
}

// Enabled reports whether any processing is switched on.
func (c Config) Enabled() bool { return c.Echo != EchoOff || c.Noise != NoiseOff || c.AGC }

// Validate names every bad value with the [audio] key it came from.
func (c Config) Validate() error {
	var errs []error
	if c.Echo < EchoOff || c.Echo > EchoHalfDuplex {
		errs = append(errs, cfgerr.New("echo_cancel", "%v is not a mode (expected %s)", c.Echo, strings.Join(echoModes, ", ")))
	}
	if c.EchoTail < MinTail || c.EchoTail > MaxTail {
		errs = append(errs, cfgerr.New("echo_tail", "%s is out of range (expected %s to %s)", c.EchoTail, MinTail, MaxTail))
	}
	if c.Noise < NoiseOff || c.Noise > NoiseHigh {
		errs = append(errs, cfgerr.New("noise_suppression", "%v is not a level (expected %s)", c.Noise, strings.Join(noiseLevels, ", ")))
	}
	if c.AGCTarget < -40 || c.AGCTarget > -3 {
		errs = append(errs, cfgerr.New("agc_target", "%g dBFS is out of range (expected -40 to -3)", c.AGCTarget))
	}
	if c.AGCMaxGain < 0 || c.AGCMaxGain > 40 {
		errs = append(errs, cfgerr.New("agc_max_gain", "%g dB is out of range (expected 0 to 40)", c.AGCMaxGain))
	}
	return errors.Join(errs...)
}
