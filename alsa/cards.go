package alsa

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
)

// Card is one sound card as /proc/asound lists it.
type Card struct {
	Index    int
	ID       string // the name usable in hw:ID,DEV
	Driver   string
	Name     string
	LongName string
	PCMs     []PCMInfo
}

// PCMInfo is one PCM device of a card, from /proc/asound/pcm.
type PCMInfo struct {
	Device            int
	ID, Name          string
	Playback, Capture int // substream counts; 0 means the direction is absent
}

// Cards lists the sound cards and their PCM devices from /proc/asound.
func Cards() ([]Card, error) { return CardsFS(procAsound()) }

// CardsFS reads "cards" and "pcm" from fsys (a /proc/asound); tests pass an fstest.MapFS.
func CardsFS(fsys fs.FS) ([]Card, error) {
	f, err := fsys.Open("cards")
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w (/proc/asound/cards is missing)", ErrNoDriver)
		}
		return nil, fmt.Errorf("alsa: cards: %w", err)
	}
	defer f.Close()
	cards, err := ParseCards(f)
	if err != nil {
		return nil, err
	}
	pf, err := fsys.Open("pcm")
	if err != nil {
		return cards, nil // no PCM devices at all
	}
	defer pf.Close()
	pcms, err := ParsePCMs(pf)
	if err != nil {
		return nil, err
	}
	for card, list := range pcms {
		for i := range cards {
			if cards[i].Index == card {
				cards[i].PCMs = append(cards[i].PCMs, list...)
			}
		}
	}
	return cards, nil
}

// ParseCards parses /proc/asound/cards:
//
//	0 [Loopback       ]: Loopback - Loopback
//	                     Loopback 1
func ParseCards(r io.Reader) ([]Card, error) {
	var cards []Card
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "---") {
			continue
		}
		open := strings.IndexByte(t, '[')
		if open > 0 {
			idx, err := strconv.Atoi(strings.TrimSpace(t[:open]))
			closeB := strings.Index(t[open:], "]:")
			if err == nil && closeB > 0 && idx >= 0 {
				c := Card{Index: idx, ID: strings.TrimSpace(t[open+1 : open+closeB])}
				rest := strings.TrimSpace(t[open+closeB+2:])
				c.Driver, c.Name, _ = strings.Cut(rest, " - ")
				c.Driver, c.Name = strings.TrimSpace(c.Driver), strings.TrimSpace(c.Name)
				cards = append(cards, c)
				continue
			}
		}
		if len(cards) > 0 && cards[len(cards)-1].LongName == "" && line != t {
			cards[len(cards)-1].LongName = t
			continue
		}
		return nil, fmt.Errorf("alsa: cards: unexpected line %q", t)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("alsa: cards: %w", err)
	}
	return cards, nil
}

// ParsePCMs parses /proc/asound/pcm, keyed by card index:
//
//	00-01: Loopback PCM : Loopback PCM : playback 8 : capture 8
func ParsePCMs(r io.Reader) (map[int][]PCMInfo, error) {
	out := map[int][]PCMInfo{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		t := strings.TrimSpace(sc.Text())
		if t == "" {
			continue
		}
		head, rest, ok := strings.Cut(t, ":")
		cs, ds, ok2 := strings.Cut(head, "-")
		card, err1 := strconv.Atoi(cs)
		dev, err2 := strconv.Atoi(ds)
		if !ok || !ok2 || err1 != nil || err2 != nil || card < 0 || dev < 0 {
			return nil, fmt.Errorf("alsa: pcm: unexpected line %q", t)
		}
		p := PCMInfo{Device: dev}
		for i, f := range strings.Split(rest, " : ") {
			f = strings.TrimSpace(f)
			switch {
			case i == 0:
				p.ID = f
			case i == 1:
				p.Name = f
			case strings.HasPrefix(f, "playback "):
				p.Playback, _ = strconv.Atoi(strings.TrimPrefix(f, "playback "))
			case strings.HasPrefix(f, "capture "):
				p.Capture, _ = strconv.Atoi(strings.TrimPrefix(f, "capture "))
			}
		}
		out[card] = append(out[card], p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("alsa: pcm: %w", err)
	}
	return out, nil
}
