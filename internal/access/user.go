package access

import (
	"errors"
	"fmt"
	"time"

	"github.com/doorsip/intercom/internal/cfgerr"
)

// Kind is what sort of user an entry is.
type Kind uint8

const (
	Resident Kind = iota // PINs and cards, used again and again
	Guest                // every PIN opens once, then is spent
	Public               // a shared PIN (a delivery code); logged as the entry's name
)

// ParseKind reads "resident", "guest" or "public" ("" is resident).
func ParseKind(s string) (Kind, bool) {
	switch s {
	case "", "resident":
		return Resident, true
	case "guest":
		return Guest, true
	case "public":
		return Public, true
	}
	return 0, false
}

func (k Kind) String() string {
	switch k {
	case Guest:
		return "guest"
	case Public:
		return "public"
	}
	return "resident"
}

// Bound is a validity limit. Floating bounds (a date or a date-time without zone in the
// users file) are read on the wall clock of the directory's time zone.
type Bound struct {
	T        time.Time // zero: no limit
	Floating bool
}

// in returns the instant b stands for in loc.
func (b Bound) in(loc *time.Location) time.Time {
	if !b.Floating {
		return b.T
	}
	t := b.T
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
}

// User is one entry of the users file.
type User struct {
	Name     string
	Kind     Kind
	PINs     []PIN
	Cards    []Card
	Schedule Schedule // empty: at any time
	// ValidFrom and ValidUntil bound when the user may enter; ValidUntil is exclusive, and a
	// date alone means midnight at its start (config/ turns "until 2026-12-24" into the
	// 25th, so the 24th is included).
	ValidFrom, ValidUntil Bound
	Relay                 string // which relay opens; "" is the door relay
	Disabled              bool
}

// Validate reports every problem in users, with keys such as "user[2].pins[0]".
// Relays are the names a credential may open.
func Validate(users []User, relays []string) error {
	var errs []error
	names := map[string]int{}
	pins := map[string]string{}
	cards := map[string]string{}
	for i, u := range users {
		key := fmt.Sprintf("user[%d]", i)
		if u.Name == "" {
			errs = append(errs, cfgerr.New(key+".name", "missing (expected the name the event log shows)"))
		} else if j, ok := names[u.Name]; ok {
			errs = append(errs, cfgerr.New(key+".name", "%q is already user[%d]", u.Name, j))
		} else {
			names[u.Name] = i
		}
		if u.Kind != Resident && len(u.Cards) > 0 {
			errs = append(errs, cfgerr.New(key+".cards", "a %s has PINs only (expected no cards)", u.Kind))
		}
		for j, p := range u.PINs {
			k := p.String()
			if prev, ok := pins[k]; ok {
				// A PIN must name one user: the event log says who opened.
				errs = append(errs, cfgerr.New(fmt.Sprintf("%s.pins[%d]", key, j), "the same PIN as %s", prev))
			} else {
				pins[k] = key
			}
		}
		for j, c := range u.Cards {
			k := c.String()
			if prev, ok := cards[k]; ok {
				errs = append(errs, cfgerr.New(fmt.Sprintf("%s.cards[%d]", key, j), "card %s is also %s's", k, prev))
			} else {
				cards[k] = key
			}
		}
		if !u.ValidFrom.T.IsZero() && !u.ValidUntil.T.IsZero() && !u.ValidUntil.T.After(u.ValidFrom.T) {
			errs = append(errs, cfgerr.New(key+".valid_until", "is not after valid_from"))
		}
		if u.Relay != "" && !contains(relays, u.Relay) {
			errs = append(errs, cfgerr.New(key+".relay", "%q is not a relay (expected one of %v)", u.Relay, relays))
		}
	}
	return errors.Join(errs...)
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
