package eventlog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Field is one key/value of an entry, kept in the order it was added so lines read the way
// they were written.
type Field struct {
	Key   string
	Value any
}

// Kind is what an entry records ("door-opened", "incoming", ...): the packages that write
// entries name theirs as constants.
type Kind string

// Entry is one event: {"time": RFC 3339 UTC, "kind": ..., fields...}.
type Entry struct {
	Time   time.Time
	Kind   Kind
	Fields []Field
}

// Get returns the value of the first field named key.
func (e Entry) Get(key string) (any, bool) {
	for _, f := range e.Fields {
		if f.Key == key {
			return f.Value, true
		}
	}
	return nil, false
}

// String returns the field named key formatted with %v, or "" if absent.
func (e Entry) String(key string) string {
	v, ok := e.Get(key)
	if !ok || v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// MarshalJSON writes time and kind first, then the fields in order. A field named time or
// kind would make the object ambiguous, so it is written with a leading underscore.
func (e Entry) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"time":`)
	t, err := json.Marshal(e.Time.UTC().Format(time.RFC3339Nano))
	if err != nil {
		return nil, err
	}
	b.Write(t)
	b.WriteString(`,"kind":`)
	k, err := json.Marshal(e.Kind)
	if err != nil {
		return nil, err
	}
	b.Write(k)
	for _, f := range e.Fields {
		key := f.Key
		if key == "time" || key == "kind" {
			key = "_" + key
		}
		kb, err := json.Marshal(key)
		if err != nil {
			return nil, err
		}
		v := f.Value
		switch x := v.(type) {
		case error:
			v = x.Error() // errors marshal as {} otherwise
		case time.Duration:
			v = x.String()
		}
		vb, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("eventlog: field %q: %w", f.Key, err)
		}
		b.WriteByte(',')
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads what MarshalJSON wrote, keeping field order. Values come back as the
// generic JSON types (string, float64, bool, nil, []any, map[string]any).
func (e *Entry) UnmarshalJSON(data []byte) error {
	d := json.NewDecoder(bytes.NewReader(data))
	tok, err := d.Token()
	if err != nil {
		return err
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("eventlog: entry is not a JSON object")
	}
	*e = Entry{}
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		var v any
		if err := d.Decode(&v); err != nil {
			return err
		}
		switch key {
		case "time":
			s, _ := v.(string)
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return fmt.Errorf("eventlog: time: %w", err)
			}
			e.Time = t
		case "kind":
			k, _ := v.(string)
			e.Kind = Kind(k)
		default:
			e.Fields = append(e.Fields, Field{Key: key, Value: v})
		}
	}
	_, err = d.Token()
	return err
}

// fields turns slog-style alternating key/value arguments into Fields. A key that is not a
// string, or a missing value, is kept visibly rather than dropped.
func fields(kv []any) []Field {
	out := make([]Field, 0, (len(kv)+1)/2)
	for i := 0; i < len(kv); i += 2 {
		key, ok := kv[i].(string)
		if !ok {
			key = fmt.Sprintf("!key%d", i/2)
		}
		if i+1 >= len(kv) {
			out = append(out, Field{Key: "!missing", Value: key})
			break
		}
		out = append(out, Field{Key: key, Value: kv[i+1]})
	}
	return out
}
