package access

import (
	"crypto/subtle"
	"sync"
	"time"
)

// Result is the outcome of one credential.
type Result uint8

const (
	Granted     Result = iota
	Unknown            // no user has this PIN or card: counts towards a lockout
	Outside            // the user's schedule does not cover now
	NotYetValid        // before valid_from
	Expired            // at or after valid_until
	Spent              // a guest PIN already used
	Disabled           // the user is disabled
)

func (r Result) String() string {
	return [...]string{"granted", "unknown", "outside-schedule", "not-yet-valid", "expired", "spent", "disabled"}[r]
}

// Via is the kind of credential.
type Via uint8

const (
	ByPIN Via = iota
	ByCard
)

func (v Via) String() string {
	if v == ByCard {
		return "card"
	}
	return "pin"
}

// Decision is what Directory decided for one credential. It never holds the PIN.
type Decision struct {
	Result Result
	Via    Via
	User   string // "" when Unknown
	Kind   Kind
	Relay  string // the user's relay ("" is the door relay); set only when Granted
	// Spent is set when this grant used up a guest PIN: the caller removes it from the
	// users file so it stays spent across restarts.
	Spent PIN
}

// Summary is a user without secrets, for `intercom ctl users`.
type Summary struct {
	Name       string   `json:"name"`
	Kind       string   `json:"kind"`
	PINs       int      `json:"pins"`
	Cards      []string `json:"cards,omitempty"`
	Schedule   []string `json:"schedule,omitempty"`
	ValidFrom  string   `json:"valid_from,omitempty"`
	ValidUntil string   `json:"valid_until,omitempty"`
	Relay      string   `json:"relay,omitempty"`
	Disabled   bool     `json:"disabled,omitempty"`
}

// Directory holds the users the running intercom admits. Its methods are safe for
// concurrent use; CheckPIN does its hashing outside the lock.
type Directory struct {
	mu    sync.Mutex
	users []User
	loc   *time.Location
	spent map[string]bool // guest PINs used since start, by PHC string; kept across Replace
}

// NewDirectory returns a directory of users (already validated) reading schedules in loc
// (nil: time.Local).
func NewDirectory(users []User, loc *time.Location) *Directory {
	if loc == nil {
		loc = time.Local
	}
	return &Directory{users: users, loc: loc, spent: map[string]bool{}}
}

// Replace swaps the users (a reload). Guest PINs spent before stay spent even if the file
// still lists them.
func (d *Directory) Replace(users []User) {
	d.mu.Lock()
	d.users = users
	d.mu.Unlock()
}

// Users lists the users without secrets.
func (d *Directory) Users() []Summary {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]Summary, 0, len(d.users))
	for _, u := range d.users {
		s := Summary{Name: u.Name, Kind: u.Kind.String(), Relay: u.Relay, Disabled: u.Disabled}
		for _, p := range u.PINs {
			if !d.spent[p.String()] {
				s.PINs++
			}
		}
		for _, c := range u.Cards {
			s.Cards = append(s.Cards, c.String())
		}
		for _, w := range u.Schedule {
			s.Schedule = append(s.Schedule, w.String())
		}
		if !u.ValidFrom.T.IsZero() {
			s.ValidFrom = u.ValidFrom.in(d.loc).Format(time.RFC3339)
		}
		if !u.ValidUntil.T.IsZero() {
			s.ValidUntil = u.ValidUntil.in(d.loc).Format(time.RFC3339)
		}
		out = append(out, s)
	}
	return out
}

// CheckPIN decides on a PIN typed at now.
func (d *Directory) CheckPIN(pin string, now time.Time) Decision {
	d.mu.Lock()
	users := d.users
	d.mu.Unlock()
	// One derivation per distinct salt and cost, then every stored hash is compared, match
	// or not, so the time taken does not say which user (or whether any) matched.
	derived := map[string][]byte{}
	var found *User
	var foundPIN PIN
	if CheckPINText(pin) == nil {
		for i := range users {
			for _, p := range users[i].PINs {
				k := p.groupKey()
				h, ok := derived[k]
				if !ok {
					h = derive(pin, p.salt, p.p, len(p.hash))
					derived[k] = h
				}
				if subtle.ConstantTimeCompare(h, p.hash) == 1 && found == nil {
					found, foundPIN = &users[i], p
				}
			}
		}
	}
	if found == nil {
		return Decision{Result: Unknown, Via: ByPIN}
	}
	dec := d.decide(found, ByPIN, now)
	if dec.Result != Granted || found.Kind != Guest {
		return dec
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	k := foundPIN.String()
	if d.spent[k] {
		return Decision{Result: Spent, Via: ByPIN, User: found.Name, Kind: Guest}
	}
	d.spent[k] = true
	dec.Spent = foundPIN
	return dec
}

// CheckCard decides on a card read at now.
func (d *Directory) CheckCard(r Read, now time.Time) Decision {
	d.mu.Lock()
	users := d.users
	d.mu.Unlock()
	for i := range users {
		for _, c := range users[i].Cards {
			if c.Matches(r) {
				return d.decide(&users[i], ByCard, now)
			}
		}
	}
	return Decision{Result: Unknown, Via: ByCard}
}

func (d *Directory) decide(u *User, via Via, now time.Time) Decision {
	dec := Decision{Via: via, User: u.Name, Kind: u.Kind}
	local := now.In(d.loc)
	switch {
	case u.Disabled:
		dec.Result = Disabled
	case !u.ValidFrom.T.IsZero() && local.Before(u.ValidFrom.in(d.loc)):
		dec.Result = NotYetValid
	case !u.ValidUntil.T.IsZero() && !local.Before(u.ValidUntil.in(d.loc)):
		dec.Result = Expired
	case !u.Schedule.Allows(local):
		dec.Result = Outside
	default:
		dec.Result = Granted
		dec.Relay = u.Relay
	}
	return dec
}
