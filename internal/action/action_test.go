package action

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/cfgerr"
	"github.com/doorsip/intercom/internal/testpeer"
)

// receiver is a local HTTP server that records requests and fails the first few.
type receiver struct {
	mu     sync.Mutex
	reqs   []string
	bodies []string
	fail   int
	hold   chan struct{} // non-nil: requests wait for it
	srv    *httptest.Server
	got    chan struct{}
}

func newReceiver(t *testing.T, h func(w http.ResponseWriter, r *http.Request) bool) *receiver {
	rc := &receiver{got: make(chan struct{}, 100)}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h != nil && !h(w, r) {
			return
		}
		if rc.hold != nil {
			<-rc.hold
		}
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.reqs = append(rc.reqs, r.Method+" "+r.URL.RequestURI())
		rc.bodies = append(rc.bodies, string(b))
		failing := rc.fail > 0
		rc.fail--
		rc.mu.Unlock()
		if failing {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		rc.got <- struct{}{}
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) requests() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.reqs...)
}

func run(t *testing.T, d *Dispatcher) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testpeer.WaitUntil(t, 10*time.Second, what, cond)
}

var at = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

// TestTemplate: variables are filled in and URL-escaped; only matching actions fire; a POST
// body is sent as JSON.
func TestTemplate(t *testing.T) {
	rc := newReceiver(t, nil)
	ring := Defaults()
	ring.On, ring.URL = []string{"ring"}, rc.srv.URL+"/ring?from=$caller&b=${button}&t=$time&e=$event&none=$nothing&cost=$$5"
	post := Defaults()
	post.On, post.URL, post.Method, post.Body = []string{"door-open"}, rc.srv.URL+"/door", "POST", `{"by":"$by"}`
	d := New([]Action{ring, post}, Options{})
	run(t, d)
	d.Dispatch(Event{Kind: "ring", Time: at, Vars: map[string]string{"caller": "sip:a b@x", "button": "bell&1"}})
	d.Dispatch(Event{Kind: "call-ended", Time: at})
	d.Dispatch(Event{Kind: "door-open", Time: at, Vars: map[string]string{"by": "mqtt user ha"}})
	until(t, "two requests", func() bool { return len(rc.requests()) == 2 && d.Stats().Sent == 2 })
	got := strings.Join(rc.requests(), "\n")
	for _, want := range []string{
		"GET /ring?from=sip%3Aa+b%40x&b=bell%261&t=2026-12-06T10%3A00%3A00Z&e=ring&none=&cost=$5",
		"POST /door",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in:\n%s", want, got)
		}
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if !strings.Contains(strings.Join(rc.bodies, ""), `{"by":"mqtt user ha"}`) {
		t.Errorf("bodies %q", rc.bodies)
	}
}

// TestRetries: a receiver failing twice gets the request on the third attempt; one failing
// always is given up on after retries+1 attempts and counted.
func TestRetries(t *testing.T) {
	rc := newReceiver(t, nil)
	rc.fail = 2
	a := Defaults()
	a.On, a.URL = []string{"*"}, rc.srv.URL+"/x"
	d := New([]Action{a}, Options{Backoff: time.Millisecond})
	run(t, d)
	d.Dispatch(Event{Kind: "ring", Time: at})
	until(t, "sent after two failures", func() bool { return d.Stats().Sent == 1 })
	if n := len(rc.requests()); n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
	rc.mu.Lock()
	rc.fail = 100
	rc.mu.Unlock()
	d.Dispatch(Event{Kind: "ring", Time: at})
	until(t, "given up", func() bool { return d.Stats().Failed == 1 })
	if n := len(rc.requests()); n != 3+4 {
		t.Errorf("%d attempts in all, want 7", n)
	}
}

// TestNeverBlocks: with the receiver stuck, Dispatch returns at once and drops past the queue.
func TestNeverBlocks(t *testing.T) {
	rc := newReceiver(t, nil)
	rc.hold = make(chan struct{})
	defer close(rc.hold)
	a := Defaults()
	a.On, a.URL, a.Retries = []string{"ring"}, rc.srv.URL+"/x", 0
	d := New([]Action{a}, Options{})
	run(t, d)
	// The worker takes one and waits; the queue holds queueLen; the rest are dropped.
	d.Dispatch(Event{Kind: "ring", Time: at})
	until(t, "the worker busy", func() bool { return len(d.lanes[0].queue) == 0 })
	for i := 0; i < queueLen+10; i++ {
		d.Dispatch(Event{Kind: "ring", Time: at})
	}
	if got := d.Stats().Dropped; got != 10 {
		t.Errorf("dropped %d, want 10", got)
	}
}

// TestAuth: Basic credentials, and Digest answering the receiver's challenge.
func TestAuth(t *testing.T) {
	nonce := "abc123"
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request) bool {
		h := r.Header.Get("Authorization")
		if u, p, ok := r.BasicAuth(); ok {
			return u == "door" && p == "pw-basic"
		}
		if !strings.HasPrefix(h, "Digest ") {
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Digest realm="r", nonce="%s", qop="auth", algorithm=MD5`, nonce))
			w.WriteHeader(http.StatusUnauthorized)
			return false
		}
		f := map[string]string{}
		for _, m := range regexp.MustCompile(`(\w+)="?([^",]*)"?`).FindAllStringSubmatch(h[7:], -1) {
			f[m[1]] = m[2]
		}
		md := func(s string) string { x := md5.Sum([]byte(s)); return hex.EncodeToString(x[:]) }
		want := md(md("door:r:pw-digest") + ":" + nonce + ":" + f["nc"] + ":" + f["cnonce"] + ":auth:" + md(r.Method+":"+f["uri"]))
		if f["response"] != want {
			w.WriteHeader(http.StatusUnauthorized)
			return false
		}
		return true
	})
	b := Defaults()
	b.On, b.URL, b.User, b.Password = []string{"ring"}, rc.srv.URL+"/basic", "door", "pw-basic"
	g := Defaults()
	g.On, g.URL, g.User, g.Password, g.Auth = []string{"ring"}, rc.srv.URL+"/digest", "door", "pw-digest", "digest"
	d := New([]Action{b, g}, Options{Backoff: time.Millisecond})
	run(t, d)
	d.Dispatch(Event{Kind: "ring", Time: at})
	until(t, "both sent", func() bool { return d.Stats().Sent == 2 })
	if st := d.Stats(); st.Failed != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestValidate(t *testing.T) {
	ok := Defaults()
	ok.On, ok.URL = []string{"ring"}, "https://hooks.lan/ring?from=$caller"
	tests := []struct {
		edit func(*Action)
		key  string
	}{
		{func(*Action) {}, ""},
		{func(a *Action) { a.On = nil }, "on"},
		{func(a *Action) { a.URL = "ftp://x/$a" }, "url"},
		{func(a *Action) { a.URL = "https://x/${a" }, "url"},
		{func(a *Action) { a.Method = "DELETE" }, "method"},
		{func(a *Action) { a.Auth = "ntlm" }, "auth"},
		{func(a *Action) { a.Password = "x" }, "user"},
		{func(a *Action) { a.Retries = 50 }, "retries"},
		{func(a *Action) { a.Timeout = 0 }, "timeout"},
	}
	for i, tt := range tests {
		a := ok
		tt.edit(&a)
		err := a.Validate()
		var keys []string
		for _, e := range cfgerr.Split(err) {
			if fe, isField := e.(*cfgerr.Field); isField {
				keys = append(keys, fe.Key)
			}
		}
		if strings.Join(keys, ",") != tt.key {
			t.Errorf("case %d: keys %v (%v), want %q", i, keys, err, tt.key)
		}
	}
}

// FuzzExpand: any template and values expand without panicking, and with an escaping
// function no value can add a character the escape removes.
func FuzzExpand(f *testing.F) {
	f.Add("https://x/$a?b=${b}", "v$", "w")
	f.Add("$", "${", "$$")
	f.Fuzz(func(t *testing.T, tmpl, a, b string) {
		out := Expand(tmpl, func(n string) string {
			if n == "a" {
				return a
			}
			return b
		}, func(s string) string { return strings.ReplaceAll(s, "&", "") })
		if !strings.Contains(tmpl, "&") && strings.Contains(out, "&") {
			t.Fatalf("%q expanded to %q", tmpl, out)
		}
	})
}
