package config

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/doorsip/intercom/gpio"
	"github.com/doorsip/intercom/internal/cfgerr"
	"github.com/doorsip/intercom/wiegand"
)

// readKeypads reads every [[keypad]] into gpio's config.
func (c *Config) readKeypads(r *reader, t map[string]any) {
	for i, kt := range r.tables(t, "keypad") {
		p := fmt.Sprintf("keypad[%d]", i)
		k := gpio.Keypad{ActiveLow: true}
		r.str(kt, p, "name", &k.Name)
		r.ints(kt, p, "rows", &k.Rows)
		r.ints(kt, p, "cols", &k.Cols)
		r.str(kt, p, "keys", &k.Keys)
		r.boolean(kt, p, "active_low", &k.ActiveLow)
		r.unknown(kt, p)
		c.GPIO.Keypads = append(c.GPIO.Keypads, k)
	}
}

// ints reads an array of integers.
func (r *reader) ints(t map[string]any, path, key string, dst *[]int) {
	v, ok := r.get(t, path, key)
	if !ok {
		return
	}
	arr, ok := v.([]any)
	if !ok {
		r.fail(join(path, key), "is %s, expected an array of line offsets such as [5, 6, 13]", typeName(v))
		return
	}
	out := make([]int, 0, len(arr))
	for i, e := range arr {
		n, ok := e.(int64)
		if !ok {
			r.fail(join(path, key), "element %d is %s, expected an integer", i, typeName(e))
			return
		}
		out = append(out, int(n))
	}
	*dst = out
}

// Reader is one [[reader]]: its lines go to gpio (OpenEdges), its formats to wiegand.
type Reader struct {
	Name    string
	Wiegand wiegand.Config
}

// readReaders reads every [[reader]].
func (c *Config) readReaders(r *reader, t map[string]any) {
	for i, rt := range r.tables(t, "reader") {
		p := fmt.Sprintf("reader[%d]", i)
		g := gpio.Reader{D0: -1, D1: -1, LED: -1, Buzzer: -1}
		w := wiegand.Defaults()
		r.str(rt, p, "name", &g.Name)
		r.integer(rt, p, "d0", &g.D0)
		r.integer(rt, p, "d1", &g.D1)
		r.integer(rt, p, "led", &g.LED)
		r.integer(rt, p, "buzzer", &g.Buzzer)
		r.boolean(rt, p, "signal_active_low", &g.SignalActiveLow)
		for _, k := range []string{"d0", "d1"} {
			if _, ok := rt[k]; !ok {
				r.fail(p, "%s is missing (expected the GPIO line offset of the reader's %s wire)", k, strings.ToUpper(k))
			}
		}
		var formats []string
		r.strs(rt, p, "formats", &formats)
		for _, f := range formats {
			switch f {
			case "26", "34":
			case "37":
				w.W37 = true
			case "raw":
				w.Raw = true
			case "keys":
				w.Keys = true
			default:
				r.fail(p+".formats", "%q is not a format (expected 26, 34, 37, raw or keys)", f)
			}
		}
		r.duration(rt, p, "gap", &w.Gap)
		if err := w.Validate(); err != nil {
			var fe *cfgerr.Field
			if errors.As(err, &fe) {
				r.fail(p+"."+fe.Key, "%s", fe.Msg)
			}
		}
		r.unknown(rt, p)
		c.GPIO.Readers = append(c.GPIO.Readers, g)
		c.Readers = append(c.Readers, Reader{Name: g.Name, Wiegand: w})
	}
}

// readAccess reads [access] and, when it names a users file, the users in it: a users file
// with errors fails the load (and a reload keeps the running users), each error naming the
// users file's own FILE:LINE.
func (c *Config) readAccess(r *reader, t map[string]any, dir string) {
	a, ok := r.section(t, "", "access")
	if !ok {
		return
	}
	a.str("users_file", &c.Access.UsersFile)
	a.str("time_zone", &c.Access.TimeZone)
	r.key(a.t, "access", "submit_key", &c.Access.Submit)
	r.key(a.t, "access", "clear_key", &c.Access.Clear)
	a.duration("code_timeout", &c.Access.CodeTimeout)
	a.done()
	if c.Access.UsersFile != "" && !filepath.IsAbs(c.Access.UsersFile) {
		c.Access.UsersFile = filepath.Join(dir, c.Access.UsersFile)
	}
}

// key reads a one-character string.
func (r *reader) key(t map[string]any, path, key string, dst *rune) {
	var s string
	r.str(t, path, key, &s)
	if _, ok := t[key]; !ok {
		return
	}
	if utf8.RuneCountInString(s) != 1 {
		r.fail(join(path, key), "%q is not one key (expected e.g. \"#\")", s)
		return
	}
	*dst, _ = utf8.DecodeRuneInString(s)
}

// loadUsers reads the users file named by [access] users_file; its problems are returned
// as they are, naming the users file.
func (c *Config) loadUsers() error {
	if c.Access.UsersFile == "" {
		return nil
	}
	users, err := LoadUsers(c.Access.UsersFile, c.RelayNames())
	if errors.Is(err, fs.ErrNotExist) {
		// No users yet: nobody opens by PIN or card, and the intercom still takes calls.
		// `intercom users add` creates the file; the app warns that it is missing.
		return nil
	}
	if err != nil {
		var probs Errors
		if errors.As(err, &probs) {
			return probs
		}
		return Errors{{File: c.File, Key: "access.users_file", Msg: err.Error()}}
	}
	c.Users = users
	return nil
}

// RelayNames are the relays a user may open: "door" and any [[relay]].
func (c *Config) RelayNames() []string {
	names := []string{"door"}
	for _, r := range c.GPIO.Relays {
		if r.Name != "door" {
			names = append(names, r.Name)
		}
	}
	return names
}
