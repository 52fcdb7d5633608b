package config

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrInvalid is wrapped by every error Load and Parse return for a bad file.
var ErrInvalid = errors.New("config: invalid")

// errNotRegular and errSideFileSize: a file the config names (password, CA, users) is not a
// regular file, or is too large to be one.
var (
	errNotRegular   = errors.New("not a regular file")
	errSideFileSize = errors.New("file too large")
)

// Problem is one thing wrong with the file.
type Problem struct {
	File string
	Line int // 0 when the key is not in the file (a default that fails a cross-check)
	Key  string
	Msg  string
}

func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc = fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	if p.Key == "" {
		return loc + ": " + p.Msg
	}
	return loc + ": " + p.Key + ": " + p.Msg
}

// Errors is every problem found, in file order; the whole list is reported at once so an
// installer fixes a file in one round.
type Errors []Problem

func (e Errors) Error() string {
	s := make([]string, len(e))
	for i, p := range e {
		s[i] = p.String()
	}
	return strings.Join(s, "\n")
}

func (e Errors) Unwrap() error { return ErrInvalid }

func (e Errors) sorted() Errors {
	sort.SliceStable(e, func(i, j int) bool { return e[i].Line < e[j].Line })
	return e
}
