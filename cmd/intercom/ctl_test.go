package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/control"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/door/doortest"
)

// ctlRig is a controller with fakes behind a real control socket.
func ctlRig(t *testing.T) (socket string, phone *doortest.Phone, board *doortest.Board, stop func()) {
	t.Helper()
	cfg := door.Defaults()
	bell := door.ButtonDefaults()
	bell.Name, bell.Call = "bell", []string{"sip:101@pbx"}
	cfg.Buttons = []door.Button{bell}
	cfg.Door.HasRelay = true
	cfg.Relays = []door.Relay{{Name: "gate"}}
	phone, board = doortest.NewPhone(), doortest.NewBoard()
	ctrl := door.New(cfg, phone, board, door.Options{Clock: clock.NewFake(time.Unix(0, 0))})
	srv, err := control.Listen(filepath.Join(t.TempDir(), "c.sock"), ctrl, control.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 2)
	go func() { done <- ctrl.Run(ctx) }()
	go func() { done <- srv.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			<-done
			<-done
			srv.Close()
		})
	}
	t.Cleanup(stop)
	return srv.Path(), phone, board, stop
}

func TestCtl(t *testing.T) {
	socket, phone, board, _ := ctlRig(t)
	tests := []struct {
		args       string
		stdin      string
		wantCode   int
		wantOut    string // substring of stdout
		wantErrOut string // substring of stderr
	}{
		{args: "status", wantOut: "state:      idle\n"},
		{args: "-json status", wantOut: `{"ok":true,"status":{"state":"idle"`},
		{args: "press bell", wantOut: "calling [sip:101@pbx]"},
		{args: "status", wantOut: "ringing:    sip:101@pbx"},
		{args: "answer", wantCode: 1, wantErrOut: "intercom ctl answer: door: no call: nothing ringing"},
		{args: "hangup", wantOut: "hung up (dialing)"},
		{args: "call sip:200@pbx", wantOut: "calling [sip:200@pbx]"},
		{args: "hangup"},
		{args: "open", wantOut: "door opened"},
		{args: "open gate", wantOut: "gate opened"},
		{args: "open garage", wantCode: 1, wantErrOut: `door: unknown relay: "garage"`},
		{args: "open gate door", wantCode: 2, wantErrOut: "at most one relay name"},
		{args: "users", wantCode: 1, wantErrOut: "not supported here: users"},
		{args: "press -long bell"},
		{args: "release bell"},
		{args: "press nope", wantCode: 1, wantErrOut: "unknown button"},
		{args: "events", wantOut: `"kind":"door-open"`},
		{args: "lines", wantCode: 1, wantErrOut: "not a sim board"},
		{args: "stats", wantCode: 1, wantErrOut: "not supported here: stats"}, // a bare controller; the app serves it
		{args: "stats extra", wantCode: 2, wantErrOut: "takes no argument"},
		{args: "-", stdin: "{\"op\":\"status\"}\n\n{\"op\":\"bad\"}\n", wantCode: 1, wantOut: `{"ok":false,"error":"control: bad request: unknown op`},
		{args: "", wantCode: 2, wantErrOut: "usage: intercom ctl"},
		{args: "dance", wantCode: 2, wantErrOut: `unknown command "dance"`},
		{args: "press", wantCode: 2, wantErrOut: "takes one button name"},
		{args: "status extra", wantCode: 2, wantErrOut: "takes no argument"},
		{args: "open -f", wantCode: 2, wantErrOut: "-f for events"},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := runCtl(strings.Fields(tt.args), socket, strings.NewReader(tt.stdin), &out, &errOut)
			if code != tt.wantCode || !strings.Contains(out.String(), tt.wantOut) || !strings.Contains(errOut.String(), tt.wantErrOut) {
				t.Errorf("exit %d (want %d)\nstdout %q (want %q)\nstderr %q (want %q)",
					code, tt.wantCode, out.String(), tt.wantOut, errOut.String(), tt.wantErrOut)
			}
		})
	}
	if len(phone.Dialed()) != 2 || len(board.Pulses()) != 2 {
		t.Errorf("dialed %d, pulses %d", len(phone.Dialed()), len(board.Pulses()))
	}
}

func TestCtlNoSocket(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := runCtl([]string{"status"}, "", nil, &out, &errOut); code != 2 {
		t.Errorf("exit %d without a socket, want 2", code)
	}
	if code := runCtl([]string{"status"}, filepath.Join(t.TempDir(), "none"), nil, &out, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), "is the intercom running?") {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
}

// signalWriter is a stdout that says when a line containing want went through it.
type signalWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if w.seen != nil && strings.Contains(w.buf.String(), w.want) {
		close(w.seen)
		w.seen = nil
	}
	return len(p), nil
}

func TestCtlEventsFollow(t *testing.T) {
	socket, _, _, stop := ctlRig(t)
	out := &signalWriter{want: `"kind":"door-open"`, seen: make(chan struct{})}
	seen := out.seen
	var errOut bytes.Buffer
	code := make(chan int)
	go func() { code <- runCtl([]string{"events", "-f"}, socket, nil, out, &errOut) }()
	var o bytes.Buffer
	if c := runCtl([]string{"open"}, socket, nil, &o, &o); c != 0 {
		t.Fatalf("open: %d %s", c, o.String())
	}
	select {
	case <-seen:
	case <-time.After(10 * time.Second):
		t.Fatal("events -f never printed the door-open entry")
	}
	stop() // the intercom goes away: the follower ends
	if c := <-code; c != 1 || !strings.Contains(errOut.String(), "closed the stream") {
		t.Errorf("exit %d, stderr %q", c, errOut.String())
	}
}

func TestPrintStats(t *testing.T) {
	start := time.Date(2026, 11, 30, 3, 0, 0, 0, time.Local)
	st := control.Stats{Started: start, Goroutines: 20, HeapKB: 900, SysKB: 7000, ScannerDropped: 3}
	var b bytes.Buffer
	printStats(&b, st, start.Add(90*time.Minute))
	for _, want := range []string{"up:         1h30m0s (since 2026-11-30 03:00:00)", "heap 900 kB, from the OS 7000 kB, 20 goroutines",
		"3 from scanners, 0 over the rate limit", "call:       none"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("missing %q in:\n%s", want, b.String())
		}
	}
	st.MQTT = &control.MQTTStats{Connected: true, Published: 12, Dropped: 3}
	b.Reset()
	printStats(&b, st, start)
	if want := "mqtt:       connected true, 12 published, 3 dropped"; !strings.Contains(b.String(), want) {
		t.Errorf("missing %q in:\n%s", want, b.String())
	}
	st.Call = &control.CallStats{Remote: "192.0.2.1:4000", PacketsSent: 500, PacketsReceived: 498, Lost: 2, JitterMS: 1.5, BufferMS: 40, RecvDBFS: -21.3}
	b.Reset()
	printStats(&b, st, start)
	for _, want := range []string{"to 192.0.2.1:4000, sent 500, received 498, lost 2", "jitter 1.5 ms, buffer 40.0 ms, round trip no report yet", "receiving -21.3 dBFS"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("missing %q in:\n%s", want, b.String())
		}
	}
}
