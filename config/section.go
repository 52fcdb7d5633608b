package config

import "time"

// section reads the keys of one table: the reader's calls without repeating the table and
// its path at each key.
type section struct {
	r    *reader
	t    map[string]any
	path string
}

// section opens the table key of t (at path); ok is false when it is absent or not a table.
func (r *reader) section(t map[string]any, path, key string) (section, bool) {
	m := r.table(t, path, key)
	return section{r: r, t: m, path: join(path, key)}, m != nil
}

// sub opens a table nested in s ([sip.tls] in [sip]).
func (s section) sub(key string) (section, bool) { return s.r.section(s.t, s.path, key) }

// has reports whether the table sets key.
func (s section) has(key string) bool { _, ok := s.t[key]; return ok }

func (s section) str(key string, dst *string) bool        { return s.r.str(s.t, s.path, key, dst) }
func (s section) strs(key string, dst *[]string)          { s.r.strs(s.t, s.path, key, dst) }
func (s section) integer(key string, dst *int)            { s.r.integer(s.t, s.path, key, dst) }
func (s section) integer64(key string, dst *int64)        { s.r.integer64(s.t, s.path, key, dst) }
func (s section) boolean(key string, dst *bool)           { s.r.boolean(s.t, s.path, key, dst) }
func (s section) duration(key string, dst *time.Duration) { s.r.duration(s.t, s.path, key, dst) }

// password reads key and key_file into dst (reader.password).
func (s section) password(key, dir string, dst *string) { s.r.password(s.t, s.path, key, dir, dst) }

// done reports the keys of the table that no call above asked for.
func (s section) done() { s.r.unknown(s.t, s.path) }
