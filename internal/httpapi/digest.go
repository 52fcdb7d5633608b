package httpapi

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"sync"
	"time"
)

// realm is the Digest realm: part of every stored HA1, so it never changes.
const realm = "intercom"

// nonceLife is how long a nonce is accepted; after it the client is told stale=true and
// retries with a new one without asking the user again.
const nonceLife = 5 * time.Minute

// maxNonces bounds the nonce-count table that stops replays.
const maxNonces = 4096

func digestHash(alg string) (func() hash.Hash, bool) {
	switch strings.ToUpper(alg) {
	case "MD5":
		return md5.New, true
	case "SHA-256":
		return sha256.New, true
	}
	return nil, false
}

func hexHash(h func() hash.Hash, s string) string {
	d := h()
	d.Write([]byte(s))
	return hex.EncodeToString(d.Sum(nil))
}

// digestCreds are the fields of an Authorization: Digest header (RFC 7616 section 3.4).
type digestCreds struct {
	Username, Realm, Nonce, URI, Response, Algorithm, Cnonce, Opaque, QOP, NC string
}

// maxAuthHeader bounds what is parsed: a real Digest header is a few hundred bytes.
const maxAuthHeader = 4096

// parseDigest reads the parameters after "Digest ": comma-separated name=value pairs whose
// values are tokens or quoted strings with backslash escapes.
func parseDigest(s string) (digestCreds, error) {
	var c digestCreds
	if len(s) > maxAuthHeader {
		return c, fmt.Errorf("%w: %d bytes", ErrBadAuthorization, len(s))
	}
	seen := map[string]bool{}
	fields := map[string]*string{
		"username": &c.Username, "realm": &c.Realm, "nonce": &c.Nonce, "uri": &c.URI,
		"response": &c.Response, "algorithm": &c.Algorithm, "cnonce": &c.Cnonce,
		"opaque": &c.Opaque, "qop": &c.QOP, "nc": &c.NC,
	}
	for {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			break
		}
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return c, fmt.Errorf("%w: parameter without value", ErrBadAuthorization)
		}
		name := strings.ToLower(strings.TrimSpace(s[:eq]))
		s = strings.TrimLeft(s[eq+1:], " \t")
		var val string
		if strings.HasPrefix(s, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				b.WriteByte(s[i])
			}
			if i >= len(s) {
				return c, fmt.Errorf("%w: unterminated quoted string", ErrBadAuthorization)
			}
			val, s = b.String(), s[i+1:]
		} else {
			end := strings.IndexAny(s, ", \t")
			if end < 0 {
				end = len(s)
			}
			val, s = s[:end], s[end:]
		}
		if seen[name] {
			return c, fmt.Errorf("%w: %s given twice", ErrBadAuthorization, name)
		}
		seen[name] = true
		if f, ok := fields[name]; ok {
			*f = val
		}
	}
	if c.Username == "" || c.Nonce == "" || c.URI == "" || c.Response == "" {
		return c, fmt.Errorf("%w: username, nonce, uri and response are required", ErrBadAuthorization)
	}
	return c, nil
}

// nonces makes and checks stateless nonces (a time and its HMAC under a key made at start)
// and remembers the highest nonce count seen per nonce, so a captured request cannot be
// replayed.
type nonces struct {
	key []byte
	mu  sync.Mutex
	nc  map[string]uint64
}

func newNonces() *nonces {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return &nonces{key: k, nc: map[string]uint64{}}
}

func (n *nonces) make(now time.Time) string {
	// A time (for expiry), random bytes (two challenges in the same instant still differ,
	// so their nonce counts are separate) and the HMAC of both.
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixNano()))
	_, _ = rand.Read(b[8:])
	m := hmac.New(sha256.New, n.key)
	m.Write(b[:])
	return base64.RawURLEncoding.EncodeToString(append(b[:], m.Sum(nil)[:16]...))
}

// check reports whether nonce is ours, and whether it is stale.
func (n *nonces) check(nonce string, now time.Time) (ok, stale bool) {
	raw, err := base64.RawURLEncoding.DecodeString(nonce)
	if err != nil || len(raw) != 32 {
		return false, false
	}
	m := hmac.New(sha256.New, n.key)
	m.Write(raw[:16])
	if !hmac.Equal(m.Sum(nil)[:16], raw[16:]) {
		return false, false
	}
	at := time.Unix(0, int64(binary.BigEndian.Uint64(raw[:8])))
	if now.Sub(at) > nonceLife || at.Sub(now) > time.Minute {
		return true, true
	}
	return true, false
}

// count accepts nc for nonce if it is higher than any seen before.
func (n *nonces) count(nonce, nc string, now time.Time) bool {
	v, err := strconv.ParseUint(nc, 16, 64)
	if err != nil || v == 0 {
		return false
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if v <= n.nc[nonce] {
		return false
	}
	if len(n.nc) >= maxNonces {
		for k := range n.nc {
			if _, stale := n.check(k, now); stale {
				delete(n.nc, k)
			}
		}
		if len(n.nc) >= maxNonces {
			// Under a flood of fresh nonces, forget the oldest half rather than grow: a
			// replay then still needs a nonce younger than nonceLife.
			i := 0
			for k := range n.nc {
				if i%2 == 0 {
					delete(n.nc, k)
				}
				i++
			}
		}
	}
	n.nc[nonce] = v
	return true
}

// verifyDigest checks c for method against password, with qop=auth as RFC 7616 requires.
func verifyDigest(c digestCreds, method, password string, offered []string) bool {
	alg := c.Algorithm
	if alg == "" {
		alg = "MD5" // RFC 7616 section 3.4.3: absent means MD5
	}
	ok := false
	for _, a := range offered {
		if strings.EqualFold(a, alg) {
			ok = true
		}
	}
	h, known := digestHash(alg)
	if !ok || !known || c.QOP != "auth" || c.Cnonce == "" || c.NC == "" || c.Realm != realm {
		return false
	}
	ha1 := hexHash(h, c.Username+":"+realm+":"+password)
	ha2 := hexHash(h, method+":"+c.URI)
	want := hexHash(h, ha1+":"+c.Nonce+":"+c.NC+":"+c.Cnonce+":"+c.QOP+":"+ha2)
	return subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(c.Response))) == 1
}

// challenges are the WWW-Authenticate values for a 401: one Digest per algorithm, in the
// configured order, then Basic (the connection is TLS).
func challenges(algs []string, nonce string, stale bool) []string {
	var out []string
	for _, a := range algs {
		s := fmt.Sprintf(`Digest realm="%s", qop="auth", algorithm=%s, nonce="%s", opaque="%s"`, realm, strings.ToUpper(a), nonce, realm)
		if stale {
			s += ", stale=true"
		}
		out = append(out, s)
	}
	return append(out, fmt.Sprintf(`Basic realm="%s", charset="UTF-8"`, realm))
}
