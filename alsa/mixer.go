package alsa

import (
	"fmt"
	"strings"
)

// Control is one mixer element ("Master Playback Volume", "Capture Switch", ...).
type Control struct {
	ID       int // numid, stable while the card exists
	Name     string
	Index    int
	Type     string // "boolean", "integer", "enumerated", ...
	Count    int    // values (channels)
	Min, Max int    // integer range
	Writable bool
}

// ctl is the mixer's kernel side (/dev/snd/controlC*), faked in tests.
type ctl interface {
	elems() ([]Control, error)
	read(c Control) ([]int, error)
	write(c Control, v []int) error
	Close() error
}

// Mixer adjusts a card's volume, gain and mute controls.
type Mixer struct {
	c    ctl
	card string
}

// Controls lists the card's mixer elements.
func (m *Mixer) Controls() ([]Control, error) {
	cs, err := m.c.elems()
	if err != nil {
		return nil, fmt.Errorf("alsa: mixer %s: %w", m.card, err)
	}
	return cs, nil
}

// find picks the control for a short name such as "Speaker", "Mic", "PCM" or "Capture": the
// exact name first, then the usual suffixes for a volume (or a switch when sw is set).
func (m *Mixer) find(name string, sw bool) (Control, error) {
	cs, err := m.Controls()
	if err != nil {
		return Control{}, err
	}
	suffixes := []string{"", " Playback Volume", " Capture Volume", " Volume"}
	want := "integer"
	if sw {
		suffixes = []string{"", " Playback Switch", " Capture Switch", " Switch"}
		want = "boolean"
	}
	for _, suf := range suffixes {
		for _, c := range cs {
			if strings.EqualFold(c.Name, name+suf) && c.Type == want {
				return c, nil
			}
		}
	}
	return Control{}, fmt.Errorf("alsa: mixer %s: %q: %w", m.card, name, ErrNoControl)
}

// SetPercent sets every channel of a volume control to pct (0-100) of its range.
func (m *Mixer) SetPercent(name string, pct int) error {
	c, err := m.find(name, false)
	if err != nil {
		return err
	}
	pct = min(max(pct, 0), 100)
	v := c.Min + (c.Max-c.Min)*pct/100
	vals := make([]int, c.Count)
	for i := range vals {
		vals[i] = v
	}
	if err := m.c.write(c, vals); err != nil {
		return fmt.Errorf("alsa: mixer %s: set %q: %w", m.card, c.Name, err)
	}
	return nil
}

// Percent reads a volume control (the first channel) as 0-100 of its range, rounded.
func (m *Mixer) Percent(name string) (int, error) {
	c, err := m.find(name, false)
	if err != nil {
		return 0, err
	}
	vals, err := m.c.read(c)
	if err != nil {
		return 0, fmt.Errorf("alsa: mixer %s: read %q: %w", m.card, c.Name, err)
	}
	if len(vals) == 0 || c.Max <= c.Min {
		return 0, nil
	}
	return ((vals[0]-c.Min)*100 + (c.Max-c.Min)/2) / (c.Max - c.Min), nil
}

// SetMute turns a switch control off (mute) or on. ALSA switches mean "sound on".
func (m *Mixer) SetMute(name string, mute bool) error {
	c, err := m.find(name, true)
	if err != nil {
		return err
	}
	on := 1
	if mute {
		on = 0
	}
	vals := make([]int, c.Count)
	for i := range vals {
		vals[i] = on
	}
	if err := m.c.write(c, vals); err != nil {
		return fmt.Errorf("alsa: mixer %s: set %q: %w", m.card, c.Name, err)
	}
	return nil
}

// Close releases the control device; idempotent.
func (m *Mixer) Close() error { return m.c.Close() }
