package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/doorsip/intercom/internal/access"
	"github.com/doorsip/intercom/internal/cfgerr"
)

// LoadUsers reads and validates the users file. relays are the relay names a user may
// name. Problems come back as Errors, each naming FILE:LINE.
func LoadUsers(path string, relays []string) ([]access.User, error) {
	data, err := readSideFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: users: %w", err)
	}
	return ParseUsers(path, data, relays)
}

// ParseUsers decodes and validates a users file; name is used in messages.
func ParseUsers(name string, data []byte, relays []string) ([]access.User, error) {
	tree, err := decodeTree(name, data)
	if err != nil {
		return nil, err
	}
	lines := keyLines(data)
	r := &reader{used: map[string]bool{}}
	var users []access.User
	for i, t := range r.tables(tree, "user") {
		users = append(users, r.user(t, fmt.Sprintf("user[%d]", i)))
	}
	r.unknown(tree, "")
	if err := r.fileErrors(name, lines, cfgerr.Split(access.Validate(users, relays))); err != nil {
		return nil, err
	}
	return users, nil
}

func (r *reader) user(t map[string]any, p string) access.User {
	var u access.User
	r.str(t, p, "name", &u.Name)
	var kind string
	r.str(t, p, "kind", &kind)
	if k, ok := access.ParseKind(kind); ok {
		u.Kind = k
	} else {
		r.fail(p+".kind", "%q is not a kind (expected resident, guest or public)", kind)
	}
	var pins, cards, sched []string
	r.strs(t, p, "pins", &pins)
	for j, s := range pins {
		pin, err := access.ParsePIN(s)
		if err != nil {
			r.fail(fmt.Sprintf("%s.pins[%d]", p, j), "%v", err)
			continue
		}
		u.PINs = append(u.PINs, pin)
	}
	r.strs(t, p, "cards", &cards)
	for j, s := range cards {
		c, err := access.ParseCard(s)
		if err != nil {
			r.fail(fmt.Sprintf("%s.cards[%d]", p, j), "%v", err)
			continue
		}
		u.Cards = append(u.Cards, c)
	}
	r.strs(t, p, "schedule", &sched)
	for j, s := range sched {
		w, err := access.ParseWindow(s)
		if err != nil {
			r.fail(fmt.Sprintf("%s.schedule[%d]", p, j), "%v", err)
			continue
		}
		u.Schedule = append(u.Schedule, w)
	}
	r.bound(t, p, "valid_from", &u.ValidFrom, false)
	r.bound(t, p, "valid_until", &u.ValidUntil, true)
	r.str(t, p, "relay", &u.Relay)
	r.boolean(t, p, "disabled", &u.Disabled)
	if len(u.PINs) == 0 && len(u.Cards) == 0 && len(pins) == 0 && len(cards) == 0 {
		r.fail(p, "user %q has no pins and no cards (expected at least one)", u.Name)
	}
	r.unknown(t, p)
	return u
}

// bound reads a TOML date (2026-12-24), local date-time (2026-12-24T18:00:00) or offset
// date-time. A date alone as an end includes that whole day.
func (r *reader) bound(t map[string]any, p, key string, dst *access.Bound, end bool) {
	v, ok := r.get(t, p, key)
	if !ok {
		return
	}
	tm, ok := v.(time.Time)
	if !ok {
		r.fail(join(p, key), "is %s, expected a date such as 2026-12-24 or 2026-12-24T18:00:00", typeName(v))
		return
	}
	switch tm.Location().String() {
	case "date-local":
		if end {
			tm = tm.AddDate(0, 0, 1)
		}
		*dst = access.Bound{T: tm, Floating: true}
	case "datetime-local":
		*dst = access.Bound{T: tm, Floating: true}
	default:
		*dst = access.Bound{T: tm}
	}
}

// FormatUsers writes users in the users file's syntax.
func FormatUsers(users []access.User) []byte {
	var b strings.Builder
	b.WriteString("# Users of the intercom's keypad and card readers. Written by `intercom users`;\n")
	b.WriteString("# PINs are argon2id hashes (set them with `intercom users passwd NAME`).\n")
	list := func(key string, items []string) {
		if len(items) == 0 {
			return
		}
		q := make([]string, len(items))
		for i, s := range items {
			q[i] = tomlString(s)
		}
		fmt.Fprintf(&b, "%s = [%s]\n", key, strings.Join(q, ", "))
	}
	for _, u := range users {
		b.WriteString("\n[[user]]\n")
		fmt.Fprintf(&b, "name = %s\n", tomlString(u.Name))
		if u.Kind != access.Resident {
			fmt.Fprintf(&b, "kind = %s\n", tomlString(u.Kind.String()))
		}
		var pins, cards, sched []string
		for _, p := range u.PINs {
			pins = append(pins, p.String())
		}
		for _, c := range u.Cards {
			cards = append(cards, c.String())
		}
		for _, w := range u.Schedule {
			sched = append(sched, w.String())
		}
		list("pins", pins)
		list("cards", cards)
		list("schedule", sched)
		writeBound(&b, "valid_from", u.ValidFrom, false)
		writeBound(&b, "valid_until", u.ValidUntil, true)
		if u.Relay != "" {
			fmt.Fprintf(&b, "relay = %s\n", tomlString(u.Relay))
		}
		if u.Disabled {
			b.WriteString("disabled = true\n")
		}
	}
	return []byte(b.String())
}

func writeBound(b *strings.Builder, key string, v access.Bound, end bool) {
	if v.T.IsZero() {
		return
	}
	t := v.T
	switch {
	case !v.Floating:
		fmt.Fprintf(b, "%s = %s\n", key, t.Format(time.RFC3339))
	case t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0:
		if end {
			t = t.AddDate(0, 0, -1)
		}
		fmt.Fprintf(b, "%s = %s\n", key, t.Format(time.DateOnly))
	default:
		fmt.Fprintf(b, "%s = %s\n", key, t.Format("2006-01-02T15:04:05"))
	}
}

// tomlString quotes s as a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range s {
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteRune(c)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, "\\u%04X", c)
		default:
			b.WriteRune(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// WriteUsers replaces path with users atomically: a reader (the running intercom reloading)
// sees the old file or the new one, never half of it. The file keeps its mode (0600 when new),
// since it holds PIN hashes.
func WriteUsers(path string, users []access.User) error {
	data := FormatUsers(users)
	mode := os.FileMode(0o600)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("config: users: %w", err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		_ = f.Close()
		_ = os.Remove(tmp)
		return fmt.Errorf("config: users: write %s: %w", path, err)
	}
	if err := f.Chmod(mode); err != nil {
		return fail(err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("config: users: write %s: %w", path, err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync() // the rename survives a power cut
		_ = d.Close()
	}
	return nil
}

// EditUsers changes the users file under a lock: it reads and validates it, hands the users
// to edit, validates the result and writes it atomically. A file with errors is not
// touched, and neither is one whose edit fails validation.
func EditUsers(path string, relays []string, edit func([]access.User) ([]access.User, error)) error {
	unlock, err := lockUsers(path)
	if err != nil {
		return err
	}
	defer unlock()
	users, err := LoadUsers(path, relays)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	users, err = edit(users)
	if err != nil {
		return err
	}
	// The edited users go through the same parser as the file will: what is written
	// must load.
	if _, err := ParseUsers(path, FormatUsers(users), relays); err != nil {
		return err
	}
	return WriteUsers(path, users)
}
