package httpapi

import (
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// authenticate returns the user a request is from, or answers it (401 with the challenges)
// and returns false. A request without credentials is only challenged; wrong credentials
// count towards the source's lockout, and are logged at most once per source per minute.
// Passwords and digests never reach the log.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, src netip.Addr, now time.Time) (User, bool) {
	h := r.Header.Get("Authorization")
	scheme, rest, _ := strings.Cut(h, " ")
	var (
		user  User
		good  bool
		stale bool
		name  string
	)
	switch strings.ToLower(scheme) {
	case "":
		s.challenge(w, now, false)
		return User{}, false
	case "basic":
		// Basic sends the password itself; the listener is TLS-only, so it is encrypted.
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
		if err == nil {
			n, pw, found := strings.Cut(string(raw), ":")
			name = n
			u, known, _ := s.user(n)
			// Compared even for an unknown user, so timing does not tell which names exist.
			want := u.Password
			if !known {
				want = "\x00unknown user"
			}
			good = found && subtle.ConstantTimeCompare([]byte(pw), []byte(want)) == 1 && known
			user = u
		}
	case "digest":
		c, err := parseDigest(rest)
		if err == nil {
			name = c.Username
			u, known, offered := s.user(c.Username)
			ours, isStale := s.nonces.check(c.Nonce, now)
			pw := u.Password
			if !known {
				pw = "\x00unknown user"
			}
			correct := ours && c.URI == r.URL.RequestURI() && verifyDigest(c, r.Method, pw, offered) && known
			switch {
			case correct && isStale:
				// The right password with an old nonce: a fresh challenge, not a failure.
				stale = true
			case correct && s.nonces.count(c.Nonce, c.NC, now):
				good, user = true, u
			}
		}
	}
	if good {
		s.locks.succeed(src)
		return user, true
	}
	if stale {
		s.challenge(w, now, true)
		return User{}, false
	}
	lockedFor, report, suppressed := s.locks.fail(src, now)
	if report {
		// The name is the client's claim; quoted by slog, it cannot forge a log line.
		s.log.Warn("httpapi: login failed", "source", src.String(), "user", clipName(name), "scheme", strings.ToLower(scheme),
			"failures_not_logged", suppressed)
	}
	if lockedFor > 0 {
		s.log.Warn("httpapi: source locked out", "source", src.String(), "for", lockedFor)
	}
	s.challenge(w, now, false)
	return User{}, false
}

func (s *Server) challenge(w http.ResponseWriter, now time.Time, stale bool) {
	_, _, offered := s.user("")
	for _, c := range challenges(offered, s.nonces.make(now), stale) {
		w.Header().Add("WWW-Authenticate", c)
	}
	fail(w, http.StatusUnauthorized, codeAuthRequired, "")
}

func clipName(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
