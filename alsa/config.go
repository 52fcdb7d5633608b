package alsa

import (
	"errors"
	"strconv"

	"github.com/doorsip/intercom/internal/cfgerr"
)

// Direction says whether a PCM records or plays.
type Direction int

const (
	Playback Direction = iota
	Capture
)

func (d Direction) String() string {
	if d == Capture {
		return "capture"
	}
	return "playback"
}

// Format is a sample format as the kernel numbers it (snd_pcm_format_t). Only the two that
// voice codecs and I2S HATs use are supported; S32_LE is converted to int16 on the fly.
type Format int

const (
	FormatS16LE Format = 2
	FormatS32LE Format = 10
)

func (f Format) String() string {
	switch f {
	case FormatS16LE:
		return "S16_LE"
	case FormatS32LE:
		return "S32_LE"
	}
	return "format(" + strconv.Itoa(int(f)) + ")"
}

// bytes is the size of one sample.
func (f Format) bytes() int {
	if f == FormatS32LE {
		return 4
	}
	return 2
}

// Params is what OpenPCM asks for and what PCM.Params reports as accepted. Zero fields in a
// request mean "choose": rate 8k, 16k, else 48k; mono, else stereo; 20 ms periods; 4 periods.
// PeriodFrames counts frames at Rate: when the card cannot do Rate, the period is scaled so
// that it keeps its duration (160 frames asked at 8 kHz become 960 at 48 kHz).
type Params struct {
	Rate         int
	Channels     int
	PeriodFrames int
	Periods      int
	// Format is the sample format on the wire; Read and Write always carry int16.
	Format Format
}

// BufferFrames is the ring buffer size.
func (p Params) BufferFrames() int { return p.PeriodFrames * p.Periods }

// Validate checks a request; zero values are allowed (they mean "choose").
func (p Params) Validate() error {
	var errs []error
	if p.Rate < 0 || p.Rate > 384000 {
		errs = append(errs, cfgerr.New("rate", "%d is out of range (expected 0 for automatic, or 8000 to 384000)", p.Rate))
	}
	if p.Channels < 0 || p.Channels > 32 {
		errs = append(errs, cfgerr.New("channels", "%d is out of range (expected 0 to 32)", p.Channels))
	}
	if p.PeriodFrames < 0 {
		errs = append(errs, cfgerr.New("period_frames", "%d is negative", p.PeriodFrames))
	}
	if p.Periods < 0 || p.Periods == 1 || p.Periods > 64 {
		errs = append(errs, cfgerr.New("periods", "%d is out of range (expected 0 for automatic, or 2 to 64)", p.Periods))
	}
	switch p.Format {
	case 0, FormatS16LE, FormatS32LE:
	default:
		errs = append(errs, cfgerr.New("format", "%v is not supported (expected S16_LE or S32_LE)", p.Format))
	}
	return errors.Join(errs...)
}
