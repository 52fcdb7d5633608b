package sip

import (
	"strings"

	gosip "github.com/emiago/sipgo/sip"
)

// newParser is sipgo's parser with From and To read leniently: RFC 3261's grammar allows
// linear white space around a header parameter's ';' and '=' (RFC 4475 section 3.1.1.1,
// "wsinv"), which sipgo's parameter reader keeps as part of the name, so "tag = x" loses its
// tag and the transaction layer answers a valid INVITE with a stateless 400.
func newParser() *gosip.Parser {
	m := map[string]gosip.HeaderParser{}
	// DefaultHeadersParser returns sipgo's own package map: copy it, never write to it.
	for k, v := range gosip.DefaultHeadersParser() {
		m[k] = v
	}
	for _, name := range []string{"from", "f", "to", "t"} {
		if p, ok := m[name]; ok {
			m[name] = tightParams(p)
		}
	}
	return gosip.NewParser(gosip.WithHeadersParsers(m))
}

// tightParams wraps a name-addr header parser so that it sees the value with the white space
// around ';' and '=' outside quotes and angle brackets removed.
func tightParams(p gosip.HeaderParser) gosip.HeaderParser {
	return func(name []byte, value string) (gosip.Header, error) {
		return p(name, tightenParams(value))
	}
}

// tightenParams drops linear white space next to ';' and '=' outside a quoted display name
// and outside <...>. A value without such white space comes back unchanged, unallocated.
func tightenParams(v string) string {
	if !needsTightening(v) {
		return v
	}
	var b strings.Builder
	b.Grow(len(v))
	inQuote, escaped, inAngle, skipSpace := false, false, false, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case inQuote:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inQuote = false
			}
		case inAngle:
			if c == '>' {
				inAngle = false
			}
		case c == '"':
			inQuote = true
		case c == '<':
			inAngle = true
		case c == ' ' || c == '\t':
			if skipSpace {
				continue
			}
		case c == ';' || c == '=':
			s := strings.TrimRight(b.String(), " \t")
			b.Reset()
			b.WriteString(s)
			b.WriteByte(c)
			skipSpace = true
			continue
		}
		skipSpace = false
		b.WriteByte(c)
	}
	return b.String()
}

// needsTightening reports white space beside a ';' or '=' anywhere in v (a cheap
// over-approximation: quotes and brackets are sorted out by tightenParams).
func needsTightening(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] != ';' && v[i] != '=' {
			continue
		}
		if i > 0 && (v[i-1] == ' ' || v[i-1] == '\t') {
			return true
		}
		if i+1 < len(v) && (v[i+1] == ' ' || v[i+1] == '\t') {
			return true
		}
	}
	return false
}
