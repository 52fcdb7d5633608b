package config

import (
	"errors"
	"path/filepath"
	"unicode/utf8"
)

const accessKeys = "users_file, time_zone, submit_key, clear_key, code_timeout"

// readAccess reads [access] and, when it names a users file, the users in it: a users file
// with errors fails the load (and a reload keeps the running users), each error naming the
// users file's own FILE:LINE.
func (c *Config) readAccess(r *reader, t map[string]any, dir string) {
	a := r.table(t, "", "access")
	if a == nil {
		return
	}
	r.str(a, "access", "users_file", &c.Access.UsersFile)
	r.str(a, "access", "time_zone", &c.Access.TimeZone)
	r.key(a, "access", "submit_key", &c.Access.Submit)
	r.key(a, "access", "clear_key", &c.Access.Clear)
	r.duration(a, "access", "code_timeout", &c.Access.CodeTimeout)
	r.unknown(a, "access", accessKeys)
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
