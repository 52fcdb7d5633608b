package media

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/doorsip/intercom/internal/cfgerr"
)

// FeedbackKind names a sound the door plays to the visitor through its own speaker.
type FeedbackKind int

// Kinds of feedback, one [feedback] key each.
const (
	FeedbackRingback FeedbackKind = iota + 1 // while an outgoing call rings (repeats)
	FeedbackBusy                             // the called party is busy
	FeedbackNoAnswer                         // nobody answered before the ring timeout
	FeedbackFailed                           // the call could not be placed
	FeedbackDoorOpen                         // the door was opened
	FeedbackCallEnd                          // a call ended
	feedbackKinds
)

var feedbackKeys = [...]string{"", "ringback", "busy", "no_answer", "failed", "door_open", "call_end"}

func (k FeedbackKind) String() string {
	if k > 0 && k < feedbackKinds {
		return feedbackKeys[k]
	}
	return "unknown"
}

// FeedbackConfig is [feedback]: each sound is "off", "builtin" or the path of a WAV file
// (16-bit PCM at 8, 16 or 48 kHz), relative paths taken from Dir (the config file's folder).
type FeedbackConfig struct {
	Ringback, Busy, NoAnswer, Failed, DoorOpen, CallEnd string
	Volume                                              int // percent of full scale, 0-100
	Dir                                                 string
}

// FeedbackDefaults plays nothing: a door whose speaker suddenly talks is a surprise to
// whoever installed it, so each sound is switched on in the file.
func FeedbackDefaults() FeedbackConfig {
	return FeedbackConfig{Ringback: "off", Busy: "off", NoAnswer: "off", Failed: "off", DoorOpen: "off", CallEnd: "off", Volume: 50}
}

// Spec is the setting of kind k.
func (c FeedbackConfig) Spec(k FeedbackKind) string {
	switch k {
	case FeedbackRingback:
		return c.Ringback
	case FeedbackBusy:
		return c.Busy
	case FeedbackNoAnswer:
		return c.NoAnswer
	case FeedbackFailed:
		return c.Failed
	case FeedbackDoorOpen:
		return c.DoorOpen
	case FeedbackCallEnd:
		return c.CallEnd
	}
	return "off"
}

// Prompts are the feedback sounds, decoded once: mono samples at their own rate.
type Prompts struct {
	sounds [feedbackKinds]prompt
	gain   float64
}

type prompt struct {
	rate    int
	samples []int16
}

// promptRates are the rates a prompt file may have: each divides or is divided by every
// device rate the door uses, so one integer-ratio resampler converts it.
var promptRates = map[int]bool{8000: true, 16000: true, 48000: true}

// LoadFeedback checks c and decodes every sound it names. Problems are cfgerr fields named
// by the sound's key, so the config names the file and line.
func LoadFeedback(c FeedbackConfig) (*Prompts, error) {
	p := &Prompts{}
	var errs []error
	if c.Volume < 0 || c.Volume > 100 {
		errs = append(errs, cfgerr.New("volume", "%d is out of range (expected 0 to 100)", c.Volume))
	}
	p.gain = float64(c.Volume) / 100
	for k := FeedbackRingback; k < feedbackKinds; k++ {
		spec := c.Spec(k)
		switch spec {
		case "", "off":
		case "builtin":
			p.sounds[k] = builtinPrompt(k)
		default:
			s, err := loadPrompt(spec, c.Dir)
			if err != nil {
				errs = append(errs, cfgerr.New(k.String(), "%v (expected \"off\", \"builtin\" or a 16-bit PCM WAV file at 8, 16 or 48 kHz)", err))
				continue
			}
			p.sounds[k] = s
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return p, nil
}

func loadPrompt(path, dir string) (prompt, error) {
	if !filepath.IsAbs(path) && dir != "" {
		path = filepath.Join(dir, path)
	}
	// A regular file only, read up to maxWAVBytes: prompts load while the config is parsed,
	// and a FIFO would hang start-up or a reload, /dev/zero fill memory.
	if fi, err := os.Stat(path); err != nil {
		return prompt{}, err
	} else if !fi.Mode().IsRegular() {
		return prompt{}, fmt.Errorf("%w: %s is not a regular file", ErrWAV, path)
	}
	fh, err := os.Open(path)
	if err != nil {
		return prompt{}, err
	}
	b, err := readWAVFile(fh)
	fh.Close()
	if err != nil {
		return prompt{}, err
	}
	if len(b) > maxWAVBytes {
		return prompt{}, fmt.Errorf("%w: %s is larger than %d bytes", ErrWAV, path, maxWAVBytes)
	}
	f, s, err := ParseWAV(b)
	if err != nil {
		return prompt{}, fmt.Errorf("%s: %w", path, err)
	}
	if !promptRates[f.Rate] {
		return prompt{}, fmt.Errorf("%s: %w: %d Hz", path, ErrWAV, f.Rate)
	}
	if f.Channels > 1 {
		// Mix down: the door has one speaker.
		mono := make([]int16, len(s)/f.Channels)
		for i := range mono {
			var sum int
			for c := range f.Channels {
				sum += int(s[i*f.Channels+c])
			}
			mono[i] = int16(sum / f.Channels)
		}
		s = mono
	}
	return prompt{rate: f.Rate, samples: s}, nil
}

// Has reports whether kind k plays anything.
func (p *Prompts) Has(k FeedbackKind) bool {
	return p != nil && k > 0 && k < feedbackKinds && len(p.sounds[k].samples) > 0
}

// Render returns kind k at device format f with the volume applied, nil when k is off or
// f's rate is no integer ratio of the prompt's. It allocates: callers render once per play,
// never per frame.
func (p *Prompts) Render(k FeedbackKind, f Format) []int16 {
	if !p.Has(k) || f.Rate <= 0 || f.Channels <= 0 {
		return nil
	}
	s := p.sounds[k]
	r, err := newResampler(s.rate, f.Rate)
	if err != nil {
		return nil
	}
	in := s.samples
	if extra := len(in) % r.down; extra != 0 {
		in = append(append([]int16(nil), in...), make([]int16, r.down-extra)...)
	}
	mono := make([]int16, r.outLen(len(in)))
	n := r.process(mono, in)
	out := make([]int16, n*f.Channels)
	for i := range n {
		v := int16(float64(mono[i]) * p.gain)
		for c := range f.Channels {
			out[i*f.Channels+c] = v
		}
	}
	return out
}

// Loops reports whether kind k repeats until stopped (ringback) rather than playing once.
func (k FeedbackKind) Loops() bool { return k == FeedbackRingback }

// builtinRate is the rate the built-in sounds are made at: enough for their partials, and
// an integer ratio of 8 and 48 kHz.
const builtinRate = 16000

// segment is one part of a built-in sound: tones (summed) for a duration, then silence.
type segment struct {
	hz       []float64
	on, off  float64 // seconds
	decaying bool    // a struck chime rather than a held tone
}

// builtinPrompt synthesises kind k: the European call-progress tones (425 Hz, ETSI TR 101
// 041) for ringback and busy, a falling three-note phrase for nobody answering, the special
// information tone (ITU-T E.180: 950/1400/1800 Hz) for a failure, a two-note chime for the
// door and a short double pip when a call ends.
func builtinPrompt(k FeedbackKind) prompt {
	var segs []segment
	switch k {
	case FeedbackRingback:
		segs = []segment{{hz: []float64{425}, on: 1, off: 4}}
	case FeedbackBusy:
		for range 4 {
			segs = append(segs, segment{hz: []float64{425}, on: 0.48, off: 0.48})
		}
	case FeedbackNoAnswer:
		segs = []segment{{hz: []float64{660}, on: 0.25, off: 0.05}, {hz: []float64{550}, on: 0.25, off: 0.05}, {hz: []float64{440}, on: 0.4, off: 0.1}}
	case FeedbackFailed:
		segs = []segment{{hz: []float64{950}, on: 0.33}, {hz: []float64{1400}, on: 0.33}, {hz: []float64{1800}, on: 0.33, off: 0.2}}
	case FeedbackDoorOpen:
		segs = []segment{{hz: []float64{880, 1760}, on: 0.45, decaying: true}, {hz: []float64{660, 1320}, on: 0.8, decaying: true}}
	case FeedbackCallEnd:
		segs = []segment{{hz: []float64{480}, on: 0.1, off: 0.08}, {hz: []float64{480}, on: 0.1, off: 0.05}}
	}
	var out []int16
	const amp = 0.5 * 32767
	for _, sg := range segs {
		on := int(sg.on * builtinRate)
		for i := range on {
			t := float64(i) / builtinRate
			var v float64
			for j, hz := range sg.hz {
				v += math.Sin(2*math.Pi*hz*t) / float64(j+1)
			}
			v /= float64(len(sg.hz))
			env := 1.0
			if sg.decaying {
				env = math.Exp(-4 * t)
			}
			// 5 ms ramps at both ends: no click where a tone starts or stops.
			ramp := 0.005 * builtinRate
			env *= min(1, float64(i)/ramp, float64(on-i)/ramp)
			out = append(out, int16(amp*env*v))
		}
		out = append(out, make([]int16, int(sg.off*builtinRate))...)
	}
	return prompt{rate: builtinRate, samples: out}
}
