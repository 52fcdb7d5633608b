package alsa

import (
	"errors"
	"fmt"
)

// Preferred rates when the caller leaves Rate at 0: narrowband and wideband voice need no
// resampling; 48k (then 44.1k) is what many USB and I2S codecs only do.
func defaultRates() []int { return []int{8000, 16000, 48000, 44100} }

const (
	defaultPeriodMs = 20
	defaultPeriods  = 4
)

// choose refines hw params step by step, the way alsa-lib's set_near calls do: every step
// tries the preferred value, then falls back to the nearest the card allows. It ends with
// HW_PARAMS and reports what the card accepted.
func choose(dev Device, want Params) (Params, error) {
	var p HWParams
	p.Any()
	if err := dev.Refine(&p); err != nil {
		return Params{}, fmt.Errorf("alsa: refine: %w", err)
	}
	p.SetOnly(ParamAccess, AccessRWInterleaved)
	if err := dev.Refine(&p); err != nil {
		return Params{}, fmt.Errorf("alsa: interleaved read/write access: %w", err)
	}

	formats := []Format{FormatS16LE, FormatS32LE}
	if want.Format != 0 {
		formats = []Format{want.Format}
	}
	if !tryMask(dev, &p, ParamFormat, formats) {
		return Params{}, fmt.Errorf("alsa: format %v: %w", formats, ErrUnsupported)
	}

	rates := defaultRates()
	if want.Rate > 0 {
		rates = append([]int{want.Rate}, rates...)
	}
	if !tryValues(dev, &p, ParamRate, rates) && !near(dev, &p, ParamRate, 48000) {
		return Params{}, fmt.Errorf("alsa: rate: %w", ErrUnsupported)
	}
	rate := p.Value(ParamRate)

	chans := []int{1, 2}
	if want.Channels > 0 {
		chans = []int{want.Channels, 1, 2}
	}
	if !tryValues(dev, &p, ParamChannels, chans) && !near(dev, &p, ParamChannels, 2) {
		return Params{}, fmt.Errorf("alsa: channels: %w", ErrUnsupported)
	}

	period := want.PeriodFrames
	switch {
	case period <= 0:
		period = rate * defaultPeriodMs / 1000
	case want.Rate > 0 && rate != want.Rate:
		// The period was counted at the rate asked for; keep its duration at the rate got.
		period = period * rate / want.Rate
	}
	if !tryValues(dev, &p, ParamPeriodSize, []int{period, rate / 100}) && !near(dev, &p, ParamPeriodSize, period) {
		return Params{}, fmt.Errorf("alsa: period size %d: %w", period, ErrUnsupported)
	}

	periods := want.Periods
	if periods <= 0 {
		periods = defaultPeriods
	}
	if !tryValues(dev, &p, ParamPeriods, []int{periods, 4, 3}) && !near(dev, &p, ParamPeriods, periods) {
		return Params{}, fmt.Errorf("alsa: periods %d: %w", periods, ErrUnsupported)
	}

	if err := dev.Install(&p); err != nil {
		return Params{}, fmt.Errorf("alsa: hw params: %w", err)
	}
	got := Params{
		Rate:         p.Value(ParamRate),
		Channels:     p.Value(ParamChannels),
		PeriodFrames: p.Value(ParamPeriodSize),
		Periods:      p.Value(ParamPeriods),
	}
	for _, f := range []Format{FormatS16LE, FormatS32LE} {
		if p.Test(ParamFormat, int(f)) {
			got.Format = f
			break
		}
	}
	// The buffer may be larger than periods*period on some cards; trust the buffer size.
	if b := p.Value(ParamBufferSize); got.PeriodFrames > 0 && b >= got.PeriodFrames*2 {
		got.Periods = b / got.PeriodFrames
	}
	if got.Rate <= 0 || got.Channels <= 0 || got.PeriodFrames <= 0 || got.Periods <= 0 || got.Format == 0 {
		return Params{}, fmt.Errorf("alsa: card accepted unusable params %+v: %w", got, ErrUnsupported)
	}
	return got, nil
}

// tryMask keeps the first format the card accepts.
func tryMask(dev Device, p *HWParams, m Param, vs []Format) bool {
	for _, v := range vs {
		if !p.Test(m, int(v)) {
			continue
		}
		q := *p
		q.SetOnly(m, int(v))
		if dev.Refine(&q) == nil {
			*p = q
			return true
		}
	}
	return false
}

// tryValues keeps the first exact value the card accepts.
func tryValues(dev Device, p *HWParams, i Param, vs []int) bool {
	for _, v := range vs {
		if v <= 0 {
			continue
		}
		if lo, hi := p.Range(i); v < lo || v > hi {
			continue
		}
		q := *p
		q.SetValue(i, v)
		if dev.Refine(&q) == nil && !q.Empty(i) {
			*p = q
			return true
		}
	}
	return false
}

// near fixes interval i at the smallest allowed value >= v, else the largest below it.
func near(dev Device, p *HWParams, i Param, v int) bool {
	lo, hi := p.Range(i)
	if lo > hi {
		return false
	}
	for _, r := range [][2]int{{max(v, lo), hi}, {lo, min(v, hi)}} {
		if r[0] > r[1] {
			continue
		}
		q := *p
		q.SetRange(i, r[0], r[1])
		if dev.Refine(&q) != nil || q.Empty(i) {
			continue
		}
		pick, _ := q.Range(i)
		if r[0] == lo && r[1] == min(v, hi) {
			_, pick = q.Range(i)
		}
		q.SetValue(i, pick)
		if dev.Refine(&q) == nil && !q.Empty(i) {
			*p = q
			return true
		}
	}
	return false
}

// isGone reports errors after which the PCM cannot be used again.
func isGone(err error) bool { return errors.Is(err, ErrDeviceGone) }
