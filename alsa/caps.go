package alsa

import "fmt"

// Caps is what a PCM device can do, as HW_REFINE reports it.
type Caps struct {
	Formats          []Format
	Rates            []int // the standard rates the device accepts
	RateMin, RateMax int
	ChannelsMin      int
	ChannelsMax      int
	PeriodMin        int // frames
	PeriodMax        int
	PeriodsMin       int
	PeriodsMax       int
	BufferMin        int // frames
	BufferMax        int
}

// standardRates are the rates Probe tries one by one.
func standardRates() []int {
	return []int{8000, 11025, 16000, 22050, 32000, 44100, 48000, 88200, 96000}
}

// ProbeDevice refines dev's hw params without committing them. dev is left open.
func ProbeDevice(dev Device) (Caps, error) {
	var p HWParams
	p.Any()
	p.SetOnly(ParamAccess, AccessRWInterleaved)
	if err := dev.Refine(&p); err != nil {
		return Caps{}, fmt.Errorf("alsa: probe: %w", err)
	}
	var c Caps
	for _, f := range []Format{FormatS16LE, FormatS32LE} {
		if p.Test(ParamFormat, int(f)) {
			c.Formats = append(c.Formats, f)
		}
	}
	c.RateMin, c.RateMax = p.Range(ParamRate)
	c.ChannelsMin, c.ChannelsMax = p.Range(ParamChannels)
	c.PeriodMin, c.PeriodMax = p.Range(ParamPeriodSize)
	c.PeriodsMin, c.PeriodsMax = p.Range(ParamPeriods)
	c.BufferMin, c.BufferMax = p.Range(ParamBufferSize)
	for _, r := range standardRates() {
		if r < c.RateMin || r > c.RateMax {
			continue
		}
		q := p
		q.SetValue(ParamRate, r)
		if dev.Refine(&q) == nil && !q.Empty(ParamRate) {
			c.Rates = append(c.Rates, r)
		}
	}
	return c, nil
}
