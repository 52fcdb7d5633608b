package alsa

import (
	"fmt"
	"strconv"
	"strings"
)

// Name is a parsed "hw:CARD,DEV" device string. Card is an index ("0") or a card id from
// /proc/asound/cards ("Loopback"); "CARD=x,DEV=y" is accepted too, as alsa-lib writes it.
// "plughw:" is accepted as a synonym: there is no plug layer here, media/ converts.
type Name struct {
	Card   string
	Device int
}

// ParseName parses a device string.
func ParseName(s string) (Name, error) {
	kind, arg, ok := strings.Cut(s, ":")
	if !ok || (kind != "hw" && kind != "plughw") || arg == "" {
		return Name{}, fmt.Errorf("%w: %q (expected hw:CARD,DEV such as hw:0,0 or hw:Loopback,1)", ErrBadName, s)
	}
	card, dev, _ := strings.Cut(arg, ",")
	card = strings.TrimPrefix(card, "CARD=")
	dev = strings.TrimPrefix(dev, "DEV=")
	// A card ID never holds '=' or ':': one left after the CARD= prefix is a typo, and would
	// not survive printing and parsing back.
	if card == "" || strings.ContainsAny(card, " /\\=:") {
		return Name{}, fmt.Errorf("%w: %q: bad card", ErrBadName, s)
	}
	n := Name{Card: card}
	if dev != "" {
		d, err := strconv.Atoi(dev)
		if err != nil || d < 0 || d > 31 {
			return Name{}, fmt.Errorf("%w: %q: bad device number", ErrBadName, s)
		}
		n.Device = d
	}
	return n, nil
}

func (n Name) String() string { return "hw:" + n.Card + "," + strconv.Itoa(n.Device) }

// cardIndex resolves n.Card against the card list.
func (n Name) cardIndex(cards []Card) (int, error) {
	if i, err := strconv.Atoi(n.Card); err == nil {
		if i < 0 || i > 31 {
			return 0, fmt.Errorf("%w: card %d", ErrNotFound, i)
		}
		return i, nil
	}
	for _, c := range cards {
		if c.ID == n.Card {
			return c.Index, nil
		}
	}
	return 0, fmt.Errorf("%w: no card named %q", ErrNotFound, n.Card)
}
