//go:build unix

package sdnotify_test

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/sdnotify"
)

// fakeManager is the service manager's end of NOTIFY_SOCKET.
type fakeManager struct {
	conn *net.UnixConn
	path string
}

func listen(t *testing.T) *fakeManager {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatalf("listen %s: %v", path, err)
	}
	t.Cleanup(func() { conn.Close() })
	return &fakeManager{conn: conn, path: path}
}

// drain returns every datagram sent before it was called. It sends an end marker of its own
// and reads up to it, so no test waits on a timer; the deadline only bounds a broken test.
func (m *fakeManager) drain(t *testing.T) []string {
	t.Helper()
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: m.path, Net: "unixgram"})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.Close()
	const end = "--end--"
	if _, err := c.Write([]byte(end)); err != nil {
		t.Fatalf("write end marker: %v", err)
	}
	if err := m.conn.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	var got []string
	buf := make([]byte, 4096)
	for {
		n, err := m.conn.Read(buf)
		if err != nil {
			t.Fatalf("read: %v (got %q so far)", err, got)
		}
		if s := string(buf[:n]); s != end {
			got = append(got, s)
			continue
		}
		return got
	}
}

func TestNotifier(t *testing.T) {
	self := strconv.Itoa(os.Getpid())
	tests := []struct {
		name         string
		watchdogUsec string
		watchdogPID  string
		do           func(n *sdnotify.Notifier) error
		want         []string
		wantPrefix   string // checked instead of want when set
		wantInterval time.Duration
	}{
		{name: "ready", do: (*sdnotify.Notifier).Ready, want: []string{"READY=1"}},
		{
			name: "status",
			do:   func(n *sdnotify.Notifier) error { return n.Status("registered 1/1, idle") },
			want: []string{"STATUS=registered 1/1, idle"},
		},
		{
			name: "status newlines flattened",
			do:   func(n *sdnotify.Notifier) error { return n.Status("in call\nREADY=1") },
			want: []string{"STATUS=in call READY=1"},
		},
		{name: "stopping", do: (*sdnotify.Notifier).Stopping, want: []string{"STOPPING=1"}},
		{name: "reloading", do: (*sdnotify.Notifier).Reloading, wantPrefix: "RELOADING=1\nMONOTONIC_USEC="},
		{
			name: "watchdog on", watchdogUsec: "10000000", watchdogPID: self,
			do: (*sdnotify.Notifier).Watchdog, want: []string{"WATCHDOG=1"}, wantInterval: 10 * time.Second,
		},
		{
			name: "heartbeat", watchdogUsec: "10000000",
			do:   func(n *sdnotify.Notifier) error { n.Heartbeat(); n.Heartbeat(); return nil },
			want: []string{"WATCHDOG=1", "WATCHDOG=1"}, wantInterval: 10 * time.Second,
		},
		{name: "watchdog off", do: (*sdnotify.Notifier).Watchdog},
		{
			name: "watchdog for another process", watchdogUsec: "10000000", watchdogPID: "1",
			do: (*sdnotify.Notifier).Watchdog,
		},
		{
			name: "lifecycle", watchdogUsec: "4000000",
			do: func(n *sdnotify.Notifier) error {
				return errors.Join(n.Status("starting"), n.Ready(), n.Watchdog(), n.Status("registered"), n.Stopping())
			},
			want:         []string{"STATUS=starting", "READY=1", "WATCHDOG=1", "STATUS=registered", "STOPPING=1"},
			wantInterval: 4 * time.Second,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := listen(t)
			t.Setenv("NOTIFY_SOCKET", m.path)
			t.Setenv("WATCHDOG_USEC", tt.watchdogUsec)
			t.Setenv("WATCHDOG_PID", tt.watchdogPID)
			n := sdnotify.New(nil)
			if !n.Enabled() {
				t.Fatal("Enabled() = false with NOTIFY_SOCKET set")
			}
			if got := n.WatchdogInterval(); got != tt.wantInterval {
				t.Errorf("WatchdogInterval() = %v, want %v", got, tt.wantInterval)
			}
			if err := tt.do(n); err != nil {
				t.Fatalf("send: %v", err)
			}
			got := m.drain(t)
			if tt.wantPrefix != "" {
				if len(got) != 1 || !strings.HasPrefix(got[0], tt.wantPrefix) {
					t.Fatalf("got %q, want one datagram starting %q", got, tt.wantPrefix)
				}
				return
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNotifierWithoutSystemd(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	t.Setenv("WATCHDOG_USEC", "10000000")
	t.Setenv("WATCHDOG_PID", strconv.Itoa(os.Getpid()))
	n := sdnotify.New(nil)
	if n.Enabled() {
		t.Error("Enabled() = true without NOTIFY_SOCKET")
	}
	if d := n.WatchdogInterval(); d != 0 {
		t.Errorf("WatchdogInterval() = %v without NOTIFY_SOCKET, want 0", d)
	}
	sends := map[string]func() error{
		"Ready": n.Ready, "Watchdog": n.Watchdog, "Stopping": n.Stopping, "Reloading": n.Reloading,
		"Status": func() error { return n.Status("x") },
	}
	for name, send := range sends {
		if err := send(); err != nil {
			t.Errorf("%s() = %v without NOTIFY_SOCKET, want nil", name, err)
		}
	}
}

func TestNotifierSocketGone(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", filepath.Join(t.TempDir(), "absent"))
	n := sdnotify.New(nil)
	for i := range 2 { // the second failure is not logged again but still returned
		if err := n.Ready(); !errors.Is(err, sdnotify.ErrSend) {
			t.Fatalf("Ready() #%d = %v, want an error wrapping ErrSend", i, err)
		}
	}
}
