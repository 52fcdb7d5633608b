package access

import "time"

// Entry collects the keys of one keypad into a code. It is not safe for concurrent use:
// each keypad's goroutine owns one. It keeps at most maxDigits digits, so a stuck key
// cannot grow it; a longer code is refused as a whole.
type Entry struct {
	cfg      Config
	buf      [maxDigits]byte
	n        int
	overflow bool
	last     time.Time
}

// NewEntry returns an empty entry with cfg's keys and timeout.
func NewEntry(cfg Config) *Entry { return &Entry{cfg: cfg} }

// Key adds one key pressed at now. It returns the code and true when k submits a
// non-empty code (the code is then cleared). A key after CodeTimeout of silence starts
// over, so a passer-by does not complete a half-typed code.
func (e *Entry) Key(k rune, now time.Time) (string, bool) {
	if e.n > 0 || e.overflow {
		if now.Sub(e.last) >= e.cfg.CodeTimeout {
			e.Clear()
		}
	}
	e.last = now
	switch {
	case k == e.cfg.Clear:
		e.Clear()
	case k == e.cfg.Submit:
		if e.n == 0 && !e.overflow {
			return "", false
		}
		code := string(e.buf[:e.n])
		if e.overflow {
			code = string(e.buf[:]) + "0" // longer than any PIN: refused, and counted
		}
		e.Clear()
		return code, true
	case k >= '0' && k <= '9':
		if e.n == len(e.buf) {
			e.overflow = true
			return "", false
		}
		e.buf[e.n] = byte(k)
		e.n++
	}
	return "", false
}

// Pending reports whether a code is half typed (for the keypad's timeout timer).
func (e *Entry) Pending() bool { return e.n > 0 || e.overflow }

// Deadline is when a half-typed code is dropped.
func (e *Entry) Deadline() time.Time { return e.last.Add(e.cfg.CodeTimeout) }

// Clear drops what was typed.
func (e *Entry) Clear() {
	clear(e.buf[:])
	e.n, e.overflow = 0, false
}
