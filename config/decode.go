package config

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// reader walks the decoded TOML tree, converting values and collecting problems with the
// key path they belong to; unknown keys are found by marking what was read.
type reader struct {
	problems []keyProblem
	used     map[string]bool
	asked    map[string][]string // per path, every key a reader call asked for, in order
}

type keyProblem struct{ key, msg string }

func (r *reader) fail(key, format string, args ...any) {
	r.problems = append(r.problems, keyProblem{key, fmt.Sprintf(format, args...)})
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (r *reader) get(t map[string]any, path, key string) (any, bool) {
	if r.asked == nil {
		r.asked = map[string][]string{}
	}
	if !slices.Contains(r.asked[path], key) {
		r.asked[path] = append(r.asked[path], key)
	}
	v, ok := t[key]
	if ok {
		r.used[join(path, key)] = true
	}
	return v, ok
}

// str reads a string key and reports whether it set dst.
func (r *reader) str(t map[string]any, path, key string, dst *string) bool {
	v, ok := r.get(t, path, key)
	if !ok {
		return false
	}
	s, ok := v.(string)
	if !ok {
		r.fail(join(path, key), "is %s, expected a string", typeName(v))
		return false
	}
	*dst = s
	return true
}

// enum reads a string key through parse, which sets the destination or says what was
// expected; what names a value of the key in the message ("unknown mode ...").
func (r *reader) enum(t map[string]any, path, key, what string, parse func(string) error) {
	var s string
	if !r.str(t, path, key, &s) {
		return
	}
	if err := parse(s); err != nil {
		r.fail(join(path, key), "unknown %s %v", what, err)
	}
}

func (r *reader) strs(t map[string]any, path, key string, dst *[]string) {
	v, ok := r.get(t, path, key)
	if !ok {
		return
	}
	arr, ok := v.([]any)
	if !ok {
		if s, isStr := v.(string); isStr {
			*dst = []string{s}
			return
		}
		r.fail(join(path, key), "is %s, expected an array of strings", typeName(v))
		return
	}
	out := make([]string, 0, len(arr))
	for i, e := range arr {
		s, ok := e.(string)
		if !ok {
			r.fail(join(path, key), "element %d is %s, expected a string", i, typeName(e))
			return
		}
		out = append(out, s)
	}
	*dst = out
}

func (r *reader) integer(t map[string]any, path, key string, dst *int) {
	v, ok := r.get(t, path, key)
	if !ok {
		return
	}
	n, ok := v.(int64)
	if !ok {
		r.fail(join(path, key), "is %s, expected an integer", typeName(v))
		return
	}
	*dst = int(n)
}

func (r *reader) integer64(t map[string]any, path, key string, dst *int64) {
	var n int
	n = int(*dst)
	r.integer(t, path, key, &n)
	*dst = int64(n)
}

func (r *reader) boolean(t map[string]any, path, key string, dst *bool) {
	v, ok := r.get(t, path, key)
	if !ok {
		return
	}
	b, ok := v.(bool)
	if !ok {
		r.fail(join(path, key), "is %s, expected true or false", typeName(v))
		return
	}
	*dst = b
}

// duration accepts Go durations ("300s", "1m30s"); a bare integer is rejected because
// "expires = 300" is ambiguous between seconds and milliseconds.
func (r *reader) duration(t map[string]any, path, key string, dst *time.Duration) {
	v, ok := r.get(t, path, key)
	if !ok {
		return
	}
	s, ok := v.(string)
	if !ok {
		r.fail(join(path, key), "is %s, expected a duration string such as \"30s\" or \"3m\"", typeName(v))
		return
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		r.fail(join(path, key), "%q is not a duration (expected e.g. \"300ms\", \"30s\", \"3m\")", s)
		return
	}
	*dst = d
}

func (r *reader) table(t map[string]any, path, key string) map[string]any {
	v, ok := r.get(t, path, key)
	if !ok {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		r.fail(join(path, key), "is %s, expected a table [%s]", typeName(v), join(path, key))
		return nil
	}
	return m
}

// tables reads a top-level array of tables ([[button]]).
func (r *reader) tables(t map[string]any, key string) []map[string]any {
	return r.subtables(t, "", key)
}

// subtables reads an array of tables in t (path "" for the top level, or [[http.user]] inside [http]).
func (r *reader) subtables(t map[string]any, path, key string) []map[string]any {
	v, ok := r.get(t, path, key)
	if !ok {
		return nil
	}
	switch a := v.(type) {
	case []map[string]any:
		return a
	case []any:
		out := make([]map[string]any, 0, len(a))
		for _, e := range a {
			m, ok := e.(map[string]any)
			if !ok {
				r.fail(join(path, key), "is an array of %s, expected [[%s]] tables", typeName(e), join(path, key))
				return nil
			}
			out = append(out, m)
		}
		return out
	}
	r.fail(join(path, key), "is %s, expected [[%s]] tables", typeName(v), join(path, key))
	return nil
}

// unknown reports every key of t that no reader call asked for, listing the ones asked for:
// call it after the section's reads, so the list is the section's whole vocabulary.
func (r *reader) unknown(t map[string]any, path string) {
	known := strings.Join(r.asked[path], ", ")

	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !r.used[join(path, k)] {
			where := "the top level"
			if path != "" {
				where = "[" + strings.TrimRightFunc(path, func(c rune) bool { return c == ']' || (c >= '0' && c <= '9') || c == '[' }) + "]"
			}
			r.fail(join(path, k), "unknown key in %s (expected one of: %s)", where, known)
		}
	}
}

func typeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	case time.Time:
		return "a date"
	}
	return fmt.Sprintf("%T", v)
}

// strAs is str for a typed string (door.ButtonAction, door.LEDShow): the value is checked by
// the package's Validate, like any string.
func strAs[T ~string](r *reader, t map[string]any, path, key string, dst *T) {
	s := string(*dst)
	r.str(t, path, key, &s)
	*dst = T(s)
}
