package httpapi

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
)

// serve sends one request straight to the handler from source addr.
func serve(s *Server, method, target, addr string, hdr map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	r.RemoteAddr = addr
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w
}

func newTestServer(t *testing.T, clk clock.Clock) (*Server, *fakeDoor) {
	t.Helper()
	be := newFakeDoor()
	s, err := New(testConfig(t), be, Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, be
}

var nonceRE = regexp.MustCompile(`nonce="([^"]+)"`)

// digestHeader answers the first challenge of w for user/pw as a client would.
func digestHeader(t *testing.T, w *httptest.ResponseRecorder, h func() hash.Hash, alg, method, uri, user, pw, nc string) string {
	t.Helper()
	m := nonceRE.FindStringSubmatch(w.Header().Get("WWW-Authenticate"))
	if m == nil {
		t.Fatalf("no nonce in %q", w.Header().Values("WWW-Authenticate"))
	}
	ha1 := hexHash(h, user+":"+realm+":"+pw)
	ha2 := hexHash(h, method+":"+uri)
	resp := hexHash(h, ha1+":"+m[1]+":"+nc+":c0ffee:auth:"+ha2)
	return fmt.Sprintf(`Digest username="%s", realm="%s", nonce="%s", uri="%s", algorithm=%s, response="%s", qop=auth, nc=%s, cnonce="c0ffee"`,
		user, realm, m[1], uri, alg, resp, nc)
}

// TestDigest: both algorithms log in; a replayed nonce count, a different URI and an old
// nonce are refused (the old nonce with stale=true, so clients retry without asking).
func TestDigest(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC))
	s, _ := newTestServer(t, clk)
	const uri = "/api/system/info"
	const addr = "192.0.2.7:40000"
	for _, a := range []struct {
		name string
		h    func() hash.Hash
	}{{"MD5", md5.New}, {"SHA-256", sha256.New}} {
		ch := serve(s, "GET", uri, addr, nil)
		if ch.Code != 401 || len(ch.Header().Values("WWW-Authenticate")) != 3 {
			t.Fatalf("challenge %d %q", ch.Code, ch.Header().Values("WWW-Authenticate"))
		}
		auth := digestHeader(t, ch, a.h, a.name, "GET", uri, "admin", "admin-secret", "00000001")
		if w := serve(s, "GET", uri, addr, map[string]string{"Authorization": auth}); w.Code != 200 {
			t.Errorf("%s: %d %s", a.name, w.Code, w.Body)
		}
		if w := serve(s, "GET", uri, addr, map[string]string{"Authorization": auth}); w.Code != 401 {
			t.Errorf("%s replay: %d", a.name, w.Code)
		}
		other := digestHeader(t, ch, a.h, a.name, "GET", "/api/switch/status", "admin", "admin-secret", "00000002")
		if w := serve(s, "GET", uri, addr, map[string]string{"Authorization": other}); w.Code != 401 {
			t.Errorf("%s other uri: %d", a.name, w.Code)
		}
		s.locks.succeed(netipAddr(addr))
	}
	ch := serve(s, "GET", uri, addr, nil)
	clk.Advance(nonceLife + time.Second)
	auth := digestHeader(t, ch, sha256.New, "SHA-256", "GET", uri, "admin", "admin-secret", "00000001")
	w := serve(s, "GET", uri, addr, map[string]string{"Authorization": auth})
	if w.Code != 401 || !regexp.MustCompile(`stale=true`).MatchString(w.Header().Get("WWW-Authenticate")) {
		t.Errorf("stale nonce: %d %q", w.Code, w.Header().Values("WWW-Authenticate"))
	}
}

// TestLockout: five wrong passwords lock a source out, even for the right one, for a minute;
// the next lockout lasts two; another source is not affected.
func TestLockout(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC))
	s, _ := newTestServer(t, clk)
	bad := map[string]string{"Authorization": "Basic " + basic("admin", "guess")}
	good := map[string]string{"Authorization": "Basic " + basic("admin", "admin-secret")}
	const attacker, other = "198.51.100.9:5000", "198.51.100.10:5000"
	for round, lock := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute} {
		for i := 0; i < maxFailures; i++ {
			if w := serve(s, "GET", "/api/system/info", attacker, bad); w.Code != 401 {
				t.Fatalf("round %d attempt %d: %d", round, i, w.Code)
			}
		}
		w := serve(s, "GET", "/api/system/info", attacker, good)
		if w.Code != 429 || w.Header().Get("Retry-After") == "" {
			t.Fatalf("round %d: locked source answered %d", round, w.Code)
		}
		if w := serve(s, "GET", "/api/system/info", other, good); w.Code != 200 {
			t.Errorf("round %d: other source %d", round, w.Code)
		}
		clk.Advance(lock - time.Second)
		if w := serve(s, "GET", "/api/system/info", attacker, good); w.Code != 429 {
			t.Errorf("round %d: lockout of %s ended early (%d)", round, lock, w.Code)
		}
		clk.Advance(time.Second)
		if w := serve(s, "GET", "/api/system/info", attacker, good); w.Code != 200 {
			t.Errorf("round %d: still locked after %s (%d)", round, lock, w.Code)
		}
	}
}

func basic(u, p string) string {
	r := httptest.NewRequest("GET", "/", nil)
	r.SetBasicAuth(u, p)
	return r.Header.Get("Authorization")[len("Basic "):]
}

func netipAddr(s string) netip.Addr { return remoteAddr(&http.Request{RemoteAddr: s}) }

func TestParseDigest(t *testing.T) {
	c, err := parseDigest(`username="a\"b", realm="intercom", nonce=xyz, uri="/api/x?y=1,2", response="ab", qop=auth, nc=00000001, cnonce="c"`)
	if err != nil || c.Username != `a"b` || c.URI != "/api/x?y=1,2" || c.Nonce != "xyz" || c.QOP != "auth" {
		t.Errorf("%+v %v", c, err)
	}
	for _, bad := range []string{``, `username="a`, `username="a", username="b", nonce=1, uri=/, response=1`, `=x`, `username="a"`} {
		if _, err := parseDigest(bad); !errors.Is(err, ErrBadAuthorization) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func FuzzParseDigest(f *testing.F) {
	for _, s := range []string{
		`username="admin", realm="intercom", nonce="n", uri="/api/system/info", algorithm=SHA-256, response="00", qop=auth, nc=00000001, cnonce="c"`,
		`username="a\"b", nonce=x, uri=/, response=1`, `username="`, `,,,=,`, "username=\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseDigest(s)
		if err == nil && (c.Username == "" || c.Nonce == "" || c.URI == "" || c.Response == "") {
			t.Fatalf("accepted %+v", c)
		}
	})
}

// FuzzServeHTTP: whatever the method, target and headers, the handler answers with a JSON
// body and never panics; nothing unauthenticated reaches the door.
func FuzzServeHTTP(f *testing.F) {
	for _, s := range [][3]string{
		{"GET", "/api/system/info", "Basic " + basic("admin", "admin-secret")},
		{"POST", "/api/switch/ctrl?switch=1&action=on", "Basic " + basic("admin", "admin-secret")},
		{"GET", "/api/log/pull?id=1&timeout=0", "Basic " + basic("admin", "admin-secret")},
		{"GET", "/api/call/dial?number=sip:1@x", "Digest username=admin, nonce=x, uri=/, response=0"},
		{"PUT", "/api/../../etc/passwd", "Basic !!!"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	clk := clock.NewFake(time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC))
	be := newFakeDoor()
	cfg := Defaults()
	cfg.Listen, cfg.StateDir, cfg.Users = "127.0.0.1:0", f.TempDir(), testUsers()
	s, err := New(cfg, be, Options{Clock: clk})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	f.Fuzz(func(t *testing.T, method, target, auth string) {
		r, err := http.NewRequest(method, "https://door"+target, nil)
		if err != nil || r.URL.Path == "" {
			return
		}
		r.RemoteAddr = "192.0.2.1:1000"
		r.Header.Set("Authorization", auth)
		before := len(be.commands())
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		var m map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
			t.Fatalf("%s %s: body %q", method, target, w.Body)
		}
		if w.Code == 401 && len(be.commands()) != before {
			t.Fatal("a refused request reached the door")
		}
		s.locks.succeed(remoteAddr(r)) // keep the fuzzer's one source from locking itself out
	})
}
