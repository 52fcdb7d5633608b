package action

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/doorsip/intercom/internal/cfgerr"
)

// Action is one [[action]].
type Action struct {
	On       []string // event kinds ("ring", "door-open", "call-ended", ...; "*" = every event)
	URL      string   // template: $name or ${name} is replaced by the event's value, URL-escaped
	Method   string   // GET or POST
	Body     string   // POST body template (values not escaped), e.g. a JSON object
	User     string
	Password string // never logged
	Auth     string // basic | digest (with a User)
	Timeout  time.Duration
	Retries  int // attempts after the first
}

// Defaults are what an [[action]] without the keys gets.
func Defaults() Action {
	return Action{Method: "GET", Auth: "basic", Timeout: 5 * time.Second, Retries: 3}
}

// Fires reports whether a fires on kind.
func (a Action) Fires(kind string) bool {
	return slices.Contains(a.On, kind) || slices.Contains(a.On, "*")
}

// Validate checks a. Keys are relative to the [[action]] table.
func (a Action) Validate() error {
	var errs []error
	add := func(key, format string, args ...any) { errs = append(errs, cfgerr.New(key, format, args...)) }
	if len(a.On) == 0 {
		add("on", "empty (expected event names such as \"ring\", \"door-open\", \"call-ended\", or \"*\")")
	}
	for _, k := range a.On {
		if k == "" || strings.ContainsAny(k, " {}") {
			add("on", "%q is not an event name", k)
		}
	}
	// The template must make a URL with any values filled in.
	u, err := url.Parse(Expand(a.URL, func(string) string { return "x" }, url.QueryEscape))
	switch {
	case a.URL == "":
		add("url", "empty (expected e.g. \"https://host/ring?from=$caller\")")
	case err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
		add("url", "%q is not an http(s) URL", a.URL)
	case strings.Contains(a.URL, "${") && !strings.Contains(a.URL[strings.LastIndex(a.URL, "${"):], "}"):
		add("url", "%q has an unclosed ${variable}", a.URL)
	}
	if a.Method != "GET" && a.Method != "POST" {
		add("method", "%q (expected GET or POST)", a.Method)
	}
	if a.Auth != "basic" && a.Auth != "digest" {
		add("auth", "%q (expected basic or digest)", a.Auth)
	}
	if a.Password != "" && a.User == "" {
		add("user", "empty while a password is set")
	}
	if a.Timeout <= 0 || a.Timeout > time.Minute {
		add("timeout", "%s (expected more than 0s and at most 1m)", a.Timeout)
	}
	if a.Retries < 0 || a.Retries > 10 {
		add("retries", "%d (expected 0 to 10)", a.Retries)
	}
	return errors.Join(errs...)
}

// Expand replaces each $name or ${name} in tmpl (names of letters, digits, _ and -) with
// escape(value(name)); "$$" is a literal $. Everything else is kept, so JSON bodies need no
// quoting.
func Expand(tmpl string, value func(string) string, escape func(string) string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '$')
		if i < 0 || i == len(tmpl)-1 {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:i])
		rest := tmpl[i+1:]
		switch {
		case rest[0] == '$':
			b.WriteByte('$')
			tmpl = rest[1:]
		case rest[0] == '{':
			j := strings.IndexByte(rest, '}')
			if j < 0 {
				b.WriteString(tmpl[i:])
				return b.String()
			}
			b.WriteString(escape(value(rest[1:j])))
			tmpl = rest[j+1:]
		default:
			n := 0
			for n < len(rest) && isNameByte(rest[n]) {
				n++
			}
			if n == 0 {
				b.WriteByte('$')
				tmpl = rest
				continue
			}
			b.WriteString(escape(value(rest[:n])))
			tmpl = rest[n:]
		}
	}
}

func isNameByte(c byte) bool {
	return c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
