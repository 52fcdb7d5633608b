package main

import (
	"fmt"
	"hash/fnv"
	"math"
)

// pathKind is the acoustic path from the door's loudspeaker to its microphone.
type pathKind int

const (
	pathBox    pathKind = iota // a small entrance vestibule, RT60 0.3 s
	pathPorch                  // a covered porch, RT60 0.6 s
	pathBeside                 // speaker 3 cm beside the mic in the same housing, in the vestibule
)

func (p pathKind) String() string { return [...]string{"box", "porch", "beside"}[p] }

// The rooms. The panel is on a wall, the speaker below the microphone.
func boxRoom() room   { return room{vec3{1.8, 1.4, 2.4}, 0.3} }
func porchRoom() room { return room{vec3{3.5, 2.5, 3.0}, 0.6} }

// openRoom is the vestibule with its street door open: what the echo path changes to.
func openRoom() room { return room{vec3{1.8, 3.9, 2.4}, 0.45} }

// rir is the impulse response of path at rate.
func (p pathKind) rir(rate int) []float64 {
	speaker, mic := vec3{0.9, 0.06, 1.40}, vec3{0.9, 0.06, 1.55}
	switch p {
	case pathPorch:
		return imageRIR(porchRoom(), vec3{1.2, 0.06, 1.40}, vec3{1.2, 0.06, 1.55}, rate, porchRoom().rt60)
	case pathBeside:
		h := imageRIR(boxRoom(), speaker, vec3{0.9, 0.06, 1.43}, rate, boxRoom().rt60)
		// The housing carries the speaker's vibration to the capsule: two damped resonances.
		for i := range h {
			t := float64(i) / float64(rate)
			h[i] += 2.0 * math.Exp(-t/0.004) * (math.Sin(2*math.Pi*900*t) + 0.6*math.Sin(2*math.Pi*2700*t))
		}
		return h
	default:
		return imageRIR(boxRoom(), speaker, mic, rate, boxRoom().rt60)
	}
}

// change is what happens to the echo path at scenario.changeAt.
type change int

const (
	changeNone  change = iota
	changePath         // the street door opens: other room, same panel
	changeDelay        // an xrun: the echo arrives 20 ms later from then on
)

// scenario is one benchmark case.
type scenario struct {
	name       string
	rate       int
	seconds    float64
	far        string // espeak-ng voice of the far end ("" for none)
	near       string // voice of the visitor ("" for none)
	nearFrom   float64
	path       pathKind
	farDB      float64 // active level of the reference, dBFS
	couplingDB float64 // echo's active level at the mic relative to the reference
	nearDB     float64
	noise      noiseKind
	snr        float64 // near-end speech over background noise, dB
	clip       bool    // loudspeaker soft clipping (tanh)
	driftPPM   float64 // the capture card's clock against the playback card's
	cardDelay  float64 // s the capture card's buffering adds to the echo (two cards)
	change     change
	changeAt   float64
	steadyFrom float64 // figures "after convergence" are taken from here to the end
}

func (s scenario) String() string {
	return fmt.Sprintf("%s %dk", s.name, s.rate/1000)
}

// scenarios is the full run, or the smoke run's short form.
func scenarios(smoke bool) []scenario {
	base := scenario{rate: 16000, seconds: 16, far: voiceResident, path: pathBox, farDB: -22, couplingDB: -6,
		nearDB: -28, steadyFrom: 8}
	with := func(f func(*scenario)) scenario { s := base; f(&s); return s }
	if smoke {
		return []scenario{
			with(func(s *scenario) { s.name, s.seconds, s.steadyFrom = "far end only, box", 8, 4 }),
			with(func(s *scenario) {
				s.name, s.seconds, s.near, s.nearFrom, s.steadyFrom = "double talk", 8, voiceVisitor, 4, 2
			}),
			with(func(s *scenario) {
				s.name, s.seconds, s.far, s.near, s.noise, s.snr = "near end only, road", 8, "", voiceVisitor, noiseRoad, 10
			}),
		}
	}
	list := []scenario{
		with(func(s *scenario) { s.name = "far end only, box" }),
		with(func(s *scenario) { s.name, s.path, s.couplingDB = "far end only, porch", pathPorch, -10 }),
		with(func(s *scenario) { s.name, s.path, s.couplingDB = "far end only, speaker beside mic", pathBeside, 0 }),
		with(func(s *scenario) {
			s.name, s.far, s.near, s.noise, s.snr = "near end only, road", "", voiceVisitor, noiseRoad, 10
		}),
		with(func(s *scenario) {
			s.name, s.far, s.near, s.noise, s.snr = "near end only, fan", "", voiceVisitor, noiseFan, 20
		}),
		with(func(s *scenario) { s.name, s.near, s.nearFrom, s.steadyFrom = "double talk", voiceVisitor, 6, 3 }),
		with(func(s *scenario) {
			s.name, s.near, s.nearFrom, s.noise, s.snr, s.steadyFrom = "double talk, road", voiceVisitor, 6, noiseRoad, 15, 3
		}),
		with(func(s *scenario) {
			s.name, s.seconds, s.change, s.changeAt, s.steadyFrom = "echo-path change", 20, changePath, 10, 14
		}),
		with(func(s *scenario) {
			s.name, s.seconds, s.change, s.changeAt, s.steadyFrom = "delay jump +20 ms", 20, changeDelay, 10, 14
		}),
		with(func(s *scenario) {
			s.name, s.seconds, s.far, s.driftPPM = "two cards, +100 ppm", 20, voiceResident2, 100
		}),
		with(func(s *scenario) {
			s.name, s.seconds, s.far, s.driftPPM = "two cards, -100 ppm", 20, voiceResident2, -100
		}),
		// A cheap crystal on each card: ±300 ppm. Two cards buffer: the echo comes 20 ms after
		// the reference, so it stays behind it while drifting 6 ms earlier over the run.
		with(func(s *scenario) {
			s.name, s.seconds, s.far, s.driftPPM, s.cardDelay = "two cards, +300 ppm", 20, voiceResident2, 300, 0.02
		}),
		with(func(s *scenario) {
			s.name, s.seconds, s.far, s.driftPPM, s.cardDelay = "two cards, -300 ppm", 20, voiceResident2, -300, 0.02
		}),
		with(func(s *scenario) {
			s.name, s.path, s.couplingDB, s.farDB, s.clip = "clipping speaker beside mic", pathBeside, -8, -20, true
		}),
	}
	for _, s := range list { // the main ones again at 8 kHz
		switch s.name {
		case "far end only, box", "far end only, speaker beside mic", "double talk", "echo-path change":
			s.rate = 8000
			list = append(list, s)
		}
	}
	return list
}

// signals are one scenario's samples, kept apart so figures can compare each part.
type signals struct {
	far, echo, near, noise, mic []float64
	ceiling                     float64 // highest echo loss the noise floor lets one measure, dB
}

func (s scenario) seed() uint64 {
	h := fnv.New64a()
	fmt.Fprint(h, s.name, s.rate)
	return h.Sum64()
}

// build renders the scenario's signals, speech from the cache dir.
func (s scenario) build(cache string) (*signals, error) {
	n := int(s.seconds * float64(s.rate))
	sig := &signals{far: make([]float64, n), echo: make([]float64, n), near: make([]float64, n)}
	if s.far != "" {
		x, err := speech(cache, s.far, s.rate)
		if err != nil {
			return nil, err
		}
		loop(sig.far, x, int(0.3*float64(s.rate)))
		scale(sig.far, dbToGain(s.farDB-activeLevel(sig.far, s.rate)))
		sig.echo = s.renderEcho(sig.far)
	}
	if s.near != "" {
		x, err := speech(cache, s.near, s.rate)
		if err != nil {
			return nil, err
		}
		from := int(s.nearFrom * float64(s.rate))
		loop(sig.near[from:], x, 0)
		scale(sig.near, dbToGain(s.nearDB-activeLevel(sig.near[from:], s.rate)))
	}
	sig.noise = makeNoise(noiseNone, n, s.rate, s.seed())
	scale(sig.noise, dbToGain(selfNoiseDB))
	if s.noise != noiseNone {
		bg := makeNoise(s.noise, n, s.rate, s.seed()+1)
		scale(bg, dbToGain(s.nearDB-s.snr))
		for i := range sig.noise {
			sig.noise[i] += bg[i]
		}
	}
	sig.mic = make([]float64, n)
	for i := range sig.mic {
		sig.mic[i] = sig.echo[i] + sig.near[i] + sig.noise[i]
	}
	if s.far != "" {
		sig.ceiling = activeLevel(sig.echo, s.rate) - 20*math.Log10(rms(sig.noise))
	}
	return sig, nil
}

// loop fills dst with src over and over, gap samples of silence between the copies.
func loop(dst, src []float64, gap int) {
	for i := 0; i < len(dst); {
		i += copy(dst[i:], src) + gap
	}
}

// renderEcho is what the microphone picks up of the reference far: the loudspeaker (soft
// clipping if asked), the path (switched at changeAt), the capture card's drift, at the
// scenario's coupling.
func (s scenario) renderEcho(far []float64) []float64 {
	spk := far
	if s.clip {
		// A small amplifier and speaker driven hot: peaks of -6 dBFS come out 8 dB lower.
		const k = 5.0
		spk = make([]float64, len(far))
		for i, v := range far {
			spk[i] = math.Tanh(k*v) / k
		}
	}
	h := s.path.rir(s.rate)
	echo := convolve(spk, h)[:len(far)]
	g := dbToGain(s.farDB + s.couplingDB - activeLevel(echo, s.rate))
	scale(echo, g)
	if s.change != changeNone {
		var h2 []float64
		switch s.change {
		case changePath:
			h2 = imageRIR(openRoom(), vec3{0.9, 0.06, 1.40}, vec3{0.9, 0.06, 1.55}, s.rate, openRoom().rt60)
		case changeDelay:
			h2 = make([]float64, len(h)+s.rate/50)
			copy(h2[s.rate/50:], h)
		}
		echo2 := convolve(spk, h2)[:len(far)]
		scale(echo2, g)
		// Cross-fade over 10 ms: a door swings, a buffer is refilled.
		at, fade := int(s.changeAt*float64(s.rate)), s.rate/100
		for i := at; i < len(echo); i++ {
			w := math.Min(1, float64(i-at)/float64(fade))
			echo[i] = (1-w)*echo[i] + w*echo2[i]
		}
	}
	if d := int(s.cardDelay * float64(s.rate)); d > 0 {
		echo = append(make([]float64, d), echo[:len(echo)-d]...)
	}
	if s.driftPPM != 0 {
		// The capture card runs fast by driftPPM: it takes its k-th sample at k/(1+ppm) of
		// the playback card's periods.
		echo = resample(echo, 1/(1+s.driftPPM*1e-6), len(echo), 0.97)
	}
	return echo
}
