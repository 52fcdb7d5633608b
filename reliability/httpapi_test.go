//go:build linux

package reliability

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/testpeer"
)

// apiClient is an HTTPS client whose connections come from the loopback address src, so that
// an attacker and the legitimate user are different sources.
func apiClient(src string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{
		DialContext:     d.DialContext,
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
	}}
}

func apiStatus(t *testing.T, c *http.Client, url, user, pw string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.SetBasicAuth(user, pw)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestHTTPBruteForceAndSlowloris: while one source holds 150 connections open without a word
// (more than the API's 64), the door still answers a call and opens for the right DTMF code,
// the held connections cost a bounded number of goroutines, and another source's request is
// served at once (one source gets 8 connections, the rest are closed on accept). A source
// guessing passwords is locked out after five failures, logged once, while another source
// logs in.
func TestHTTPBruteForceAndSlowloris(t *testing.T) {
	testpeer.Require(t, "sipp")
	port := testpeer.FreePort(t)
	r := startRig(t, rigOptions{extra: fmt.Sprintf(`[http]
listen = "127.0.0.1:%d"
state_dir = %q
[[http.user]]
name = "admin"
password = "the-right-one"
privileges = ["status", "door"]
`, port, t.TempDir())})
	base := fmt.Sprintf("https://127.0.0.1:%d/api/system/status", port)
	g0 := runtime.NumGoroutine()

	// Slowloris: connections that never send a byte.
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.3")}}
	for i := 0; i < 150; i++ {
		c, err := d.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		held = append(held, c)
	}
	g1 := runtime.NumGoroutine()
	t.Logf("goroutines: %d before, %d with 150 idle connections held", g0, g1)
	if g1-g0 > 8+10 {
		t.Errorf("150 idle connections from one source cost %d goroutines (the API admits 8 per source)", g1-g0)
	}

	// The door answers a call and opens while the API is saturated.
	w := watchRelay(r)
	if err := callDoor(t, r.sip, uacCall{Caller: allowed, Digits: "#1", Hold: 300}, 1); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 5*time.Second, "door-open logged", func() bool { return countKinds(readEvents(t, r.events))["door-open"] == 1 })
	if on, _ := w.Stop(); on == 0 {
		t.Error("relay never energised during the slowloris")
	}

	// Another source is served while the silent connections are still held.
	start := time.Now()
	attacker, user := apiClient("127.0.0.2"), apiClient("127.0.0.1")
	if got := apiStatus(t, user, base, "admin", "the-right-one"); got != 200 {
		t.Fatalf("legitimate request: %d", got)
	}
	took := time.Since(start)
	t.Logf("legitimate request during the slowloris served in %s", took.Round(time.Millisecond))
	if took > 2*time.Second {
		t.Errorf("legitimate request waited %s behind the slowloris", took)
	}
	for _, c := range held {
		c.Close()
	}
	held = nil

	// Brute force from another source: 5 failures, then locked out, even for the right one.
	codes := map[int]int{}
	for i := 0; i < 100; i++ {
		codes[apiStatus(t, attacker, base, "admin", fmt.Sprintf("guess-%d", i))]++
	}
	t.Logf("100 guesses: %v", codes)
	if codes[401] != 5 || codes[429] != 95 {
		t.Errorf("guesses answered %v, want 5x401 then 95x429", codes)
	}
	if got := apiStatus(t, attacker, base, "admin", "the-right-one"); got != 429 {
		t.Errorf("the locked source with the right password: %d, want 429", got)
	}
	if got := apiStatus(t, user, base, "admin", "the-right-one"); got != 200 {
		t.Errorf("another source during the lockout: %d, want 200", got)
	}
	if n := strings.Count(r.logs.String(), "httpapi: login failed"); n != 1 {
		t.Errorf("login failures logged %d times, want once per source per minute", n)
	}
	// The door still takes calls after all of it.
	if err := callDoor(t, r.sip, uacCall{Caller: allowed, Digits: "#1", Hold: 300}, 1); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 5*time.Second, "second door-open", func() bool { return countKinds(readEvents(t, r.events))["door-open"] == 2 })
}
