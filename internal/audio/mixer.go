package audio

import (
	"errors"

	"github.com/doorsip/intercom/alsa"
)

// Mixer control names tried, in order, for the speaker volume and the microphone gain: the
// names USB codecs, HAT codecs and the Pi's own audio use.
func volumeControls() []string { return []string{"Speaker", "PCM", "Master", "Headphone", "Playback"} }
func gainControls() []string   { return []string{"Mic", "Capture", "Mic Capture", "ADC"} }

// applyMixer sets [audio] volume (playback) or mic_gain (capture) on the device's card and
// unmutes the control, when the config asks for it (-1 leaves the mixer alone). A card
// without a matching control is logged, not fatal: audio still flows at the card's levels.
func (d *hwDevice) applyMixer() {
	pct, names := d.cfg.Volume, volumeControls()
	if d.dir == alsa.Capture {
		pct, names = d.cfg.MicGain, gainControls()
	}
	if pct < 0 {
		return
	}
	n, err := alsa.ParseName(d.name)
	if err != nil {
		return
	}
	m, err := alsa.OpenMixer(n.Card)
	if err != nil {
		d.log.Warn("audio mixer unavailable", "device", d.name, "err", err)
		return
	}
	defer m.Close()
	for _, name := range names {
		err := m.SetPercent(name, pct)
		if errors.Is(err, alsa.ErrNoControl) {
			continue
		}
		if err != nil {
			d.log.Warn("audio mixer", "device", d.name, "control", name, "err", err)
			return
		}
		if err := m.SetMute(name, false); err != nil && !errors.Is(err, alsa.ErrNoControl) {
			d.log.Warn("audio mixer unmute", "device", d.name, "control", name, "err", err)
		}
		d.log.Info("audio mixer set", "device", d.name, "control", name, "percent", pct)
		return
	}
	d.log.Warn("audio mixer has no volume control for this direction", "device", d.name, "dir", dirName(d.dir), "tried", names)
}
