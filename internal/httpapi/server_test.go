package httpapi

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
)

// fakeDoor is a Backend with a fixed status that records commands.
type fakeDoor struct {
	mu     sync.Mutex
	st     Status
	cmds   []Command
	err    error
	events chan Event
}

func newFakeDoor() *fakeDoor {
	return &fakeDoor{events: make(chan Event, 16), st: Status{
		DeviceName: "Front door", SWVersion: "v1.2.3", Started: time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC),
		Call: "in-call", Peer: "sip:101@pbx.lan", Incoming: true, Relay: true, OpenFor: 3 * time.Second,
		Ports:    []Port{{Name: "door", Output: true}, {Name: "bell"}, {Name: "contact", Active: true}},
		Accounts: []Account{{Name: "pbx", Registered: true}},
	}}
}

func (f *fakeDoor) Status() Status { f.mu.Lock(); defer f.mu.Unlock(); return f.st }
func (f *fakeDoor) Do(_ context.Context, c Command) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cmds = append(f.cmds, c)
	return f.err
}
func (f *fakeDoor) Subscribe() (<-chan Event, func()) { return f.events, func() {} }
func (f *fakeDoor) commands() []Command {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Command(nil), f.cmds...)
}

func testUsers() []User {
	return []User{
		{Name: "admin", Password: "admin-secret", Privileges: []Privilege{PrivStatus, PrivDoor, PrivCall, PrivLog}},
		{Name: "viewer", Password: "viewer-secret", Privileges: []Privilege{PrivStatus}},
	}
}

func testConfig(t *testing.T) Config {
	c := Defaults()
	c.Listen, c.StateDir, c.Users = "127.0.0.1:0", t.TempDir(), testUsers()
	return c
}

// start runs a server for cfg and returns its base URL.
func start(t *testing.T, cfg Config, be Backend, clk clock.Clock) (*Server, string) {
	t.Helper()
	s, err := New(cfg, be, Options{Logger: slog.New(slog.DiscardHandler), Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return s, "https://" + s.Addr().String()
}

func insecureClient() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
}

func getJSON(t *testing.T, c *http.Client, url, user, pw string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if user != "" {
		req.SetBasicAuth(user, pw)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v in %q", url, err, b)
	}
	return resp.StatusCode, m
}

// TestSelfSignedCertificate: without tls_cert the first start makes a certificate in the
// state directory and the next start serves the same one.
func TestSelfSignedCertificate(t *testing.T) {
	cfg := testConfig(t)
	s1, _ := start(t, cfg, newFakeDoor(), clock.Real{})
	s2, _ := start(t, cfg, newFakeDoor(), clock.Real{})
	if s1.Fingerprint() == "" || s1.Fingerprint() != s2.Fingerprint() || len(s1.Fingerprint()) != 95 {
		t.Errorf("fingerprints %q and %q", s1.Fingerprint(), s2.Fingerprint())
	}
	st, err := os.Stat(cfg.StateDir + "/" + selfKeyFile)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v %v", st, err)
	}
}

// TestLongPollRing: a ring reaches a client waiting in log/pull within 100 ms.
func TestLongPollRing(t *testing.T) {
	be := newFakeDoor()
	s, base := start(t, testConfig(t), be, clock.Real{})
	c := insecureClient()
	_, m := getJSON(t, c, base+"/api/log/subscribe?filter=KeyPressed", "admin", "admin-secret")
	id := int64(m["result"].(map[string]any)["id"].(float64))
	type reply struct {
		m  map[string]any
		at time.Time
	}
	got := make(chan reply, 1)
	go func() {
		_, m := getJSON(t, c, fmt.Sprintf("%s/api/log/pull?id=%v&timeout=10", base, id), "admin", "admin-secret")
		got <- reply{m, time.Now()}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for s.hub.waiting.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the pull never started waiting")
		}
		time.Sleep(time.Millisecond)
	}
	sent := time.Now()
	be.events <- Event{Time: sent, Name: "KeyPressed", Params: map[string]any{"key": "bell"}}
	r := <-got
	lat := r.at.Sub(sent)
	t.Logf("ring to long-poll reply: %s", lat)
	if lat > 100*time.Millisecond {
		t.Errorf("ring took %s to reach the long poll (want < 100ms)", lat)
	}
	ev := r.m["result"].(map[string]any)["events"].([]any)
	if len(ev) != 1 || ev[0].(map[string]any)["event"] != "KeyPressed" {
		t.Errorf("events %v", ev)
	}
}

func TestBasicAndPrivileges(t *testing.T) {
	be := newFakeDoor()
	_, base := start(t, testConfig(t), be, clock.Real{})
	c := insecureClient()
	tests := []struct {
		path, user, pw string
		status         int
		success        bool
		code           float64
	}{
		{"/api/system/info", "", "", 401, false, codeAuthRequired},
		{"/api/system/info", "viewer", "viewer-secret", 200, true, 0},
		{"/api/switch/ctrl?switch=1&action=on", "viewer", "viewer-secret", 403, false, codeNoPrivilege},
		{"/api/switch/ctrl?switch=1&action=on", "admin", "admin-secret", 200, true, 0},
		{"/api/switch/ctrl?switch=2&action=on", "admin", "admin-secret", 200, false, codeInvalidParam},
		{"/api/switch/ctrl?switch=1", "admin", "admin-secret", 200, false, codeMissingParam},
		{"/api/nothing", "admin", "admin-secret", 404, false, codeInvalidPath},
		{"/api/system/info?" + strings.Repeat("x", maxURL), "admin", "admin-secret", 414, false, codeTooBig},
	}
	for _, tt := range tests {
		status, m := getJSON(t, c, base+tt.path, tt.user, tt.pw)
		e, _ := m["error"].(map[string]any)
		code, _ := e["code"].(float64)
		if status != tt.status || m["success"] != tt.success || code != tt.code {
			t.Errorf("%s as %q: %d %v", tt.path[:min(len(tt.path), 60)], tt.user, status, m)
		}
	}
	if cmds := be.commands(); len(cmds) != 1 || cmds[0] != (Command{Op: SwitchOn, User: "admin"}) {
		t.Errorf("commands %+v", cmds)
	}
}
