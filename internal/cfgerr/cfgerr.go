// Package cfgerr is how packages' Validate methods name the key that is wrong, so that config/
// can turn the key back into the file:line it came from. It knows nothing of TOML.
package cfgerr

import (
	"errors"
	"fmt"
)

// Field is a problem with one key. Key is relative to the section being validated
// ("listen", "account[0].registrar"); config/ prefixes the section.
type Field struct {
	Key string
	Msg string
	Err error // what a %w in New's format wrapped, if anything
}

func (e *Field) Error() string { return e.Key + ": " + e.Msg }

// Unwrap returns the error New's format wrapped with %w.
func (e *Field) Unwrap() error { return e.Err }

// New returns a *Field for key with a formatted message; a %w in format wraps its error as
// fmt.Errorf does.
func New(key, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &Field{Key: key, Msg: err.Error(), Err: errors.Unwrap(err)}
}

// Prefix puts prefix before the Key of every *Field in err (which may be a join of several).
func Prefix(prefix string, err error) error {
	if err == nil {
		return nil
	}
	var out []error
	for _, e := range Split(err) {
		var fe *Field
		if errors.As(e, &fe) {
			out = append(out, &Field{Key: prefix + fe.Key, Msg: fe.Msg, Err: fe.Err})
		} else {
			out = append(out, e)
		}
	}
	return errors.Join(out...)
}

// Split flattens errors.Join trees into their leaves.
func Split(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, Split(e)...)
		}
		return out
	}
	return []error{err}
}
