package control

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/eventlog"
)

// fakeHandler answers commands from a table and serves a real in-memory event log.
type fakeHandler struct {
	log  *eventlog.Log
	mu   sync.Mutex
	cmds []door.Command
}

func newFakeHandler() *fakeHandler {
	return &fakeHandler{log: eventlog.New(eventlog.Config{}, eventlog.Options{Clock: clock.NewFake(time.Unix(0, 0))})}
}

func (h *fakeHandler) Do(_ context.Context, cmd door.Command) (door.Result, error) {
	h.mu.Lock()
	h.cmds = append(h.cmds, cmd)
	h.mu.Unlock()
	switch cmd.Op {
	case "status":
		return door.Result{Status: door.Status{State: door.Idle, Registered: true}}, nil
	case "answer":
		return door.Result{Status: door.Status{State: door.Idle}}, fmt.Errorf("%w: nothing ringing", door.ErrNoCall)
	}
	return door.Result{Message: string(cmd.Op) + " " + cmd.Arg, Status: door.Status{State: door.Dialing}}, nil
}
func (h *fakeHandler) Subscribe() (<-chan eventlog.Entry, func()) { return h.log.Subscribe() }
func (h *fakeHandler) Recent() []eventlog.Entry                   { return h.log.Recent() }

// start serves h on a socket in a temp dir until the test ends.
func start(t *testing.T, h Handler) *Server {
	t.Helper()
	s, err := Listen(filepath.Join(t.TempDir(), "ctl.sock"), h, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
		s.Close()
		goleak.VerifyNone(t)
	})
	return s
}

func dial(t *testing.T, s *Server) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("unix", s.Path())
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c, bufio.NewReader(c)
}

func TestSocketMode(t *testing.T) {
	s := start(t, newFakeHandler())
	st, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("socket mode %v, want 0600", st.Mode().Perm())
	}
}

func TestRequests(t *testing.T) {
	tests := []struct {
		name string
		send string
		want string // substring of the response line
	}{
		{"status", `{"op":"status"}`, `{"ok":true,"status":{"state":"idle","registered":true,"door_open":false}}`},
		{"call", `{"op":"call","arg":"sip:101@pbx"}`, `"ok":true,"message":"call sip:101@pbx"`},
		{"press long", `{"op":"press","arg":"bell","long":true}`, `"message":"press bell"`},
		{"controller error", `{"op":"answer"}`, `{"ok":false,"error":"door: no call: nothing ringing","status":{"state":"idle"`},
		{"crlf", "{\"op\":\"status\"}\r", `"ok":true`},
		{"not json", `status`, `"ok":false,"error":"control: bad request`},
		{"unknown op", `{"op":"dance"}`, `unknown op \"dance\"`},
		{"unknown field", `{"op":"status","x":1}`, `unknown field`},
		{"two values", `{"op":"status"} {"op":"status"}`, `more than one JSON value`},
		{"press without arg", `{"op":"press"}`, `needs arg`},
	}
	s := start(t, newFakeHandler())
	c, r := dial(t, s)
	// One connection, many requests, blank lines ignored.
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := fmt.Fprintf(c, "\n%s\n", tt.send); err != nil {
				t.Fatal(err)
			}
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(line, tt.want) {
				t.Errorf("got  %s want %s", line, tt.want)
			}
		})
	}
}

// simHandler is a handler on a "sim" board.
type simHandler struct{ *fakeHandler }

func (simHandler) Lines() (map[string]bool, error) {
	return map[string]bool{"door": true, "led": false}, nil
}

// statsHandler is a handler that reports stats.
type statsHandler struct{ *fakeHandler }

func (statsHandler) Stats() Stats {
	return Stats{Started: time.Unix(100, 0).UTC(), Goroutines: 12, HeapKB: 900, SysKB: 7000, RateDropped: 5,
		Call: &CallStats{Remote: "192.0.2.1:4000", PacketsSent: 50, PacketsReceived: 49, Lost: 1, RecvDBFS: -20.5}}
}

// TestOptionalOps: lines and stats are served when the handler can, refused when not.
func TestOptionalOps(t *testing.T) {
	tests := []struct {
		name, op string
		h        Handler
		want     string
	}{
		{"lines, sim board", "lines", simHandler{newFakeHandler()}, `{"ok":true,"lines":{"door":true,"led":false}}`},
		{"lines, real board", "lines", newFakeHandler(), `{"ok":false,"error":"control: not supported here: lines (not a sim board)"}`},
		{"stats, app", "stats", statsHandler{newFakeHandler()}, `{"ok":true,"stats":{"started":"1970-01-01T00:01:40Z","goroutines":12,"heap_kb":900,"sys_kb":7000,` +
			`"sip_scanner_dropped":0,"sip_rate_dropped":5,"call":{"remote":"192.0.2.1:4000","packets_sent":50,"packets_received":49,"lost":1,` +
			`"late":0,"invalid":0,"foreign":0,"concealed":0,"jitter_ms":0,"buffer_ms":0,"rtt_ms":0,"peer_loss_pct":0,"send_dbfs":0,"recv_dbfs":-20.5}}}`},
		{"stats, bare controller", "stats", newFakeHandler(), `{"ok":false,"error":"control: not supported here: stats"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, tt.h)
			c, r := dial(t, s)
			c.Write([]byte(`{"op":"` + tt.op + `"}` + "\n"))
			line, err := r.ReadString('\n')
			if err != nil || strings.TrimSpace(line) != tt.want {
				t.Errorf("got %q %v\nwant %s", line, err, tt.want)
			}
		})
	}
}

func TestLastLineWithoutNewline(t *testing.T) {
	s := start(t, newFakeHandler())
	c, r := dial(t, s)
	c.Write([]byte(`{"op":"status"}`))
	c.(*net.UnixConn).CloseWrite()
	line, err := r.ReadString('\n')
	if err != nil || !strings.Contains(line, `"ok":true`) {
		t.Errorf("%q %v", line, err)
	}
}

func TestTooLarge(t *testing.T) {
	s := start(t, newFakeHandler())
	c, r := dial(t, s)
	go c.Write([]byte(`{"op":"call","arg":"` + strings.Repeat("x", MaxRequest) + "\"}\n"))
	line, err := r.ReadString('\n')
	if err != nil || !strings.Contains(line, ErrTooLarge.Error()) {
		t.Fatalf("%q %v", line, err)
	}
	if _, err := r.ReadString('\n'); err == nil {
		t.Error("connection still open after an oversized request")
	}
}

func TestManyClients(t *testing.T) {
	h := newFakeHandler()
	s := start(t, h)
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			cl, err := Dial(ctx, s.Path())
			if err != nil {
				errs <- err
				return
			}
			defer cl.Close()
			for range 5 {
				resp, err := cl.Do(Request{Op: "call", Arg: fmt.Sprint(i)})
				if err != nil || resp.Message != fmt.Sprintf("call %d", i) {
					errs <- fmt.Errorf("client %d: %+v %v", i, resp, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(h.cmds) != n*5 {
		t.Errorf("%d commands reached the handler, want %d", len(h.cmds), n*5)
	}
}

func TestClientErrors(t *testing.T) {
	s := start(t, newFakeHandler())
	ctx := context.Background()
	cl, err := Dial(ctx, s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	resp, err := cl.Do(Request{Op: "answer"})
	if !errors.Is(err, ErrServer) || resp.Status == nil {
		t.Errorf("%+v %v", resp, err)
	}
	raw, err := cl.Raw([]byte(`{"op":"status"}`))
	if err != nil || !strings.HasPrefix(string(raw), `{"ok":true`) {
		t.Errorf("raw %q %v", raw, err)
	}
	if _, err := Dial(ctx, filepath.Join(t.TempDir(), "none")); err == nil {
		t.Error("dialled a missing socket")
	}
}

func TestEvents(t *testing.T) {
	h := newFakeHandler()
	h.log.Add("old", "n", 1)
	s := start(t, h)
	ctx := context.Background()

	cl, err := Dial(ctx, s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if _, err := cl.Do(Request{Op: "events"}); err != nil {
		t.Fatal(err)
	}
	if resp, err := cl.Read(); err != nil || !resp.Done {
		t.Fatalf("no done after recent: %+v %v", resp, err)
	}

	fl, err := Dial(ctx, s.Path())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := fl.Do(Request{Op: "events", Follow: true, Backlog: true})
	if err != nil || resp.Event == nil || resp.Event.Kind != "old" {
		t.Fatalf("first follow line %+v %v", resp, err)
	}
	if resp, err := fl.Read(); err != nil || resp.Message != "following" {
		t.Fatalf("no following ack: %+v %v", resp, err)
	}
	// Without backlog, a follower sees only what happens after it subscribed.
	nb, err := Dial(ctx, s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer nb.Close()
	if resp, err := nb.Do(Request{Op: "events", Follow: true}); err != nil || resp.Message != "following" {
		t.Fatalf("follow without backlog: %+v %v", resp, err)
	}
	for i := range 3 {
		h.log.Add("new", "i", i)
		resp, err := fl.Read()
		if err != nil || resp.Event == nil || resp.Event.Kind != "new" || resp.Event.String("i") != fmt.Sprint(i) {
			t.Fatalf("live entry %d: %+v %v", i, resp, err)
		}
		if resp, err := nb.Read(); err != nil || resp.Event == nil || resp.Event.Kind != "new" {
			t.Fatalf("live entry %d without backlog: %+v %v", i, resp, err)
		}
	}
	fl.Close() // the server's streaming goroutines must end (goleak in cleanup)
}

func TestListenPaths(t *testing.T) {
	dir := t.TempDir()
	// A stale socket from a crash is replaced.
	stale := filepath.Join(dir, "stale.sock")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: stale, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()
	s, err := Listen(stale, newFakeHandler(), Options{})
	if err != nil {
		t.Fatalf("stale socket: %v", err)
	}
	// A live one is not.
	if _, err := Listen(stale, newFakeHandler(), Options{}); !errors.Is(err, ErrInUse) {
		t.Errorf("live socket: %v", err)
	}
	s.Close()
	s.Close()
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("socket left behind after Close: %v", err)
	}
	if err := s.Run(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("Run after Close: %v", err)
	}
	// Any other file is left alone.
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o600)
	if _, err := Listen(file, newFakeHandler(), Options{}); !errors.Is(err, ErrNotSocket) {
		t.Errorf("regular file: %v", err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		socket string
		ok     bool
	}{
		{"", true}, {"/run/intercom/ctl.sock", true}, {"ctl.sock", false}, {"/" + strings.Repeat("x", 200), false},
	}
	for _, tt := range tests {
		if err := (Config{Socket: tt.socket}).Validate(); (err == nil) != tt.ok {
			t.Errorf("Validate(%q) = %v", tt.socket, err)
		}
	}
}

// stuckHandler never answers until its request's context ends.
type stuckHandler struct {
	*fakeHandler
	entered chan struct{}
}

func (h *stuckHandler) Do(ctx context.Context, _ door.Command) (door.Result, error) {
	close(h.entered)
	<-ctx.Done()
	return door.Result{}, ctx.Err()
}

func TestCloseEndsStuckRequests(t *testing.T) {
	defer goleak.VerifyNone(t)
	h := &stuckHandler{fakeHandler: newFakeHandler(), entered: make(chan struct{})}
	s, err := Listen(filepath.Join(t.TempDir(), "s.sock"), h, Options{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(context.Background()) }()
	c, err := net.Dial("unix", s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte(`{"op":"status"}` + "\n"))
	<-h.entered
	// Close must return although the handler is stuck, and Run with it.
	s.Close()
	if err := <-done; err != nil {
		t.Error(err)
	}
}
