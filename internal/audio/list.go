package audio

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/doorsip/intercom/alsa"
)

// List prints the sound cards, their PCM devices and what each direction supports, the
// output of `intercom audio list`. A device another process holds is shown as busy.
func List(w io.Writer) error {
	cards, err := alsa.Cards()
	if err != nil {
		return listError(err)
	}
	return writeList(w, cards, alsa.Probe)
}

// listError says what a machine without ALSA lacks, in the words of whoever runs the list.
func listError(err error) error {
	if errors.Is(err, alsa.ErrNoDriver) {
		return fmt.Errorf("audio: no sound card: %w", err)
	}
	return fmt.Errorf("audio: list: %w", err)
}

type probeFunc func(name string, dir alsa.Direction) (alsa.Caps, error)

func writeList(w io.Writer, cards []alsa.Card, probe probeFunc) error {
	var b strings.Builder
	if len(cards) == 0 {
		b.WriteString("no sound card: ALSA is loaded but lists none (a USB card unplugged, or a HAT whose overlay is not enabled)\n")
	}
	for _, c := range cards {
		fmt.Fprintf(&b, "card %d: %s [%s] %s\n", c.Index, c.ID, c.Driver, c.Name)
		if c.LongName != "" {
			fmt.Fprintf(&b, "  %s\n", c.LongName)
		}
		for _, p := range c.PCMs {
			name := fmt.Sprintf("hw:%s,%d", c.ID, p.Device)
			fmt.Fprintf(&b, "  %s (hw:%d,%d): %s\n", name, c.Index, p.Device, p.Name)
			for _, d := range []struct {
				dir alsa.Direction
				n   int
			}{{alsa.Playback, p.Playback}, {alsa.Capture, p.Capture}} {
				if d.n == 0 {
					continue
				}
				caps, err := probe(name, d.dir)
				if err != nil {
					fmt.Fprintf(&b, "    %-9s %v\n", d.dir.String()+":", err)
					continue
				}
				fmt.Fprintf(&b, "    %-9s %s\n", d.dir.String()+":", describeCaps(caps))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func describeCaps(c alsa.Caps) string {
	var fs []string
	for _, f := range c.Formats {
		fs = append(fs, f.String())
	}
	if len(fs) == 0 {
		fs = []string{"no S16_LE/S32_LE"}
	}
	rates := fmt.Sprintf("%d-%d Hz", c.RateMin, c.RateMax)
	if len(c.Rates) > 0 {
		rs := make([]string, len(c.Rates))
		for i, r := range c.Rates {
			rs[i] = fmt.Sprint(r)
		}
		rates = strings.Join(rs, "/") + " Hz"
	}
	return fmt.Sprintf("%s, %s, %s ch, period %s frames, %s periods, buffer %s frames",
		strings.Join(fs, "/"), rates, span(c.ChannelsMin, c.ChannelsMax),
		span(c.PeriodMin, c.PeriodMax), span(c.PeriodsMin, c.PeriodsMax), span(c.BufferMin, c.BufferMax))
}

func span(lo, hi int) string {
	if lo == hi {
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d-%d", lo, hi)
}
