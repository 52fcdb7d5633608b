package control

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestDecodeRequest(t *testing.T) {
	tests := []struct {
		line string
		want Request
		err  error
	}{
		{`{"op":"status"}`, Request{Op: "status"}, nil},
		{`{"op":"press","arg":"bell","long":true}` + "\n", Request{Op: "press", Arg: "bell", Long: true}, nil},
		{`{"op":"events","follow":true}`, Request{Op: "events", Follow: true}, nil},
		{`{"op":"events","follow":true,"backlog":true}`, Request{Op: "events", Follow: true, Backlog: true}, nil},
		{`{"op":"events","backlog":true}`, Request{}, ErrBadRequest},
		{`{"op":"Status"}`, Request{}, ErrBadRequest},
		{`{"op":"status"}x`, Request{}, ErrBadRequest},
		{`[]`, Request{}, ErrBadRequest},
		{`null`, Request{}, ErrBadRequest},
		{``, Request{}, ErrBadRequest},
		{`{"op":"release"}`, Request{}, ErrBadRequest},
		{`{"op":"status","arg":` + strings.Repeat(" ", MaxRequest) + `""}`, Request{}, ErrTooLarge},
	}
	for _, tt := range tests {
		got, err := DecodeRequest([]byte(tt.line))
		if !errors.Is(err, tt.err) || got != tt.want {
			t.Errorf("DecodeRequest(%.40q) = %+v, %v; want %+v, %v", tt.line, got, err, tt.want, tt.err)
		}
	}
}

// FuzzRequest: the decoder never panics, and whatever it accepts re-encodes to a request it
// accepts again unchanged.
func FuzzRequest(f *testing.F) {
	for _, s := range []string{`{"op":"status"}`, `{"op":"call","arg":"sip:1@h"}`, `{"op":"press","arg":"b","long":true}`,
		`{"op":"events","follow":true}`, `{"op":"x"}`, `{`, `{"op":"status"}{}`, "{\"op\":\"open\"}\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		r, err := DecodeRequest(line)
		if err != nil {
			return
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		r2, err := DecodeRequest(b)
		if err != nil || r2 != r {
			t.Errorf("%q -> %+v -> %s -> %+v, %v", line, r, b, r2, err)
		}
	})
}
