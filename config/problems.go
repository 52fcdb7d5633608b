package config

import (
	"errors"

	"github.com/doorsip/intercom/internal/cfgerr"
)

// fileErrors is everything wrong with file name: what r found while reading, then the
// validation errors errs, each at its key's line. Validation runs even after read problems so
// the installer sees everything at once; a key r already reported (a wrong type) is not
// reported twice. It is nil when nothing is wrong.
func (r *reader) fileErrors(name string, lines map[string]int, errs []error) error {
	var probs Errors
	bad := map[string]bool{}
	for _, p := range r.problems {
		bad[p.key] = true
		probs = append(probs, Problem{File: name, Line: lineOf(lines, p.key), Key: p.key, Msg: p.msg})
	}
	for _, e := range errs {
		var fe *cfgerr.Field
		key, msg := "", e.Error()
		if errors.As(e, &fe) {
			key, msg = fe.Key, fe.Msg
		}
		if bad[key] {
			continue
		}
		probs = append(probs, Problem{File: name, Line: lineOf(lines, key), Key: key, Msg: msg})
	}
	if len(probs) == 0 {
		return nil
	}
	return probs.sorted()
}
