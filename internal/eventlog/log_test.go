package eventlog

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/doorsip/intercom/internal/clock"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func readLines(t *testing.T, path string) []Entry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Entry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("%s: line %q: %v", path, sc.Text(), err)
		}
		out = append(out, e)
	}
	return out
}

func TestEntryJSON(t *testing.T) {
	tests := []struct {
		name string
		kind string
		kv   []any
		want string
	}{
		{"plain", "door-open", []any{"by", "sip:100@pbx", "for", 3 * time.Second},
			`{"time":"2026-01-02T03:04:05Z","kind":"door-open","by":"sip:100@pbx","for":"3s"}`},
		{"reserved keys", "x", []any{"time", 1, "kind", true},
			`{"time":"2026-01-02T03:04:05Z","kind":"x","_time":1,"_kind":true}`},
		{"error value", "x", []any{"err", errors.New("boom")},
			`{"time":"2026-01-02T03:04:05Z","kind":"x","err":"boom"}`},
		{"odd args", "x", []any{"a", 1, "b"},
			`{"time":"2026-01-02T03:04:05Z","kind":"x","a":1,"!missing":"b"}`},
		{"non-string key", "x", []any{7, "v"},
			`{"time":"2026-01-02T03:04:05Z","kind":"x","!key0":"v"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Entry{Time: t0, Kind: Kind(tt.kind), Fields: fields(tt.kv)}
			b, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("got  %s\nwant %s", b, tt.want)
			}
			var back Entry
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if !back.Time.Equal(t0) || string(back.Kind) != tt.kind || len(back.Fields) != len(e.Fields) {
				t.Errorf("round trip: %+v", back)
			}
		})
	}
}

func TestWriteAndRotate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "events.jsonl")
	clk := clock.NewFake(t0)
	l := New(Config{Path: path, MaxSize: MinSize}, Options{Clock: clk})
	defer l.Close()
	pad := strings.Repeat("x", 1000)
	for i := range 10 {
		l.Add("n", "i", i, "pad", pad)
		if err := l.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	cur := readLines(t, path)
	old := readLines(t, path+".1")
	if len(cur)+len(old) > 10 || len(cur) == 0 || len(old) == 0 {
		t.Fatalf("current %d lines, rotated %d lines", len(cur), len(old))
	}
	if got := cur[len(cur)-1].String("i"); got != "9" {
		t.Errorf("last entry i=%s, want 9", got)
	}
	for _, p := range []string{path, path + ".1"} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() > MinSize {
			t.Errorf("%s is %d bytes, bound is %d", p, st.Size(), MinSize)
		}
		if st.Mode().Perm()&0o004 != 0 {
			t.Errorf("%s is world-readable: %v", p, st.Mode())
		}
	}
}

func TestAppendsToExisting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ev")
	for i := range 2 {
		l := New(Config{Path: path, MaxSize: MinSize}, Options{Clock: clock.NewFake(t0)})
		l.Add("start", "run", i)
		l.Close()
		l.Close() // idempotent
	}
	if n := len(readLines(t, path)); n != 2 {
		t.Errorf("%d lines, want 2", n)
	}
}

// failFS is a disk that can be filled: while full, writes store part of the line and fail.
type failFS struct {
	mu        sync.Mutex
	full      bool
	openErr   error
	noTrunc   bool
	data      []byte
	truncates int
}

func (fs *failFS) OpenAppend(string) (File, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.openErr != nil {
		return nil, fs.openErr
	}
	return &failFile{fs}, nil
}
func (fs *failFS) Rename(string, string) error { return nil }

type failFile struct{ fs *failFS }

func (f *failFile) Write(p []byte) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.fs.full {
		n := len(p) / 2
		f.fs.data = append(f.fs.data, p[:n]...)
		return n, syscall.ENOSPC
	}
	f.fs.data = append(f.fs.data, p...)
	return len(p), nil
}
func (f *failFile) Sync() error { return nil }
func (f *failFile) Truncate(n int64) error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	f.fs.truncates++
	if f.fs.noTrunc {
		return syscall.EIO
	}
	f.fs.data = f.fs.data[:n]
	return nil
}
func (f *failFile) Size() (int64, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	return int64(len(f.fs.data)), nil
}
func (f *failFile) Close() error { return nil }

// countHandler counts log records by level.
type countHandler struct {
	mu     sync.Mutex
	errors int
	infos  int
}

func (h *countHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *countHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.Level >= slog.LevelError {
		h.errors++
	} else {
		h.infos++
	}
	return nil
}
func (h *countHandler) count(errors bool) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if errors {
		return h.errors
	}
	return h.infos
}
func (h *countHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countHandler) WithGroup(string) slog.Handler      { return h }

func TestDiskFullIsNotFatal(t *testing.T) {
	tests := []struct {
		name    string
		noTrunc bool
		openErr bool
	}{
		{name: "partial write cut back"},
		{name: "truncate fails too", noTrunc: true},
		{name: "open fails", openErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := &failFS{noTrunc: tt.noTrunc}
			h := &countHandler{}
			clk := clock.NewFake(t0)
			l := New(Config{Path: "ev", MaxSize: 1 << 20}, Options{Clock: clk, FS: fs, Logger: slog.New(h)})
			defer l.Close()
			sub, cancel := l.Subscribe()
			defer cancel()

			add := func(kind Kind) {
				l.Add(kind)
				l.Flush()
			}
			add("before")
			fs.mu.Lock()
			fs.full = true
			if tt.openErr {
				fs.openErr = syscall.ENOSPC
			}
			fs.mu.Unlock()
			for range 5 {
				add("during")
				clk.Advance(time.Second)
			}
			if !errors.Is(l.Err(), syscall.ENOSPC) {
				t.Errorf("Err() = %v, want ENOSPC", l.Err())
			}
			if h.count(true) != 1 {
				t.Errorf("%d error reports for one outage, want 1 (rate-limited)", h.count(true))
			}
			clk.Advance(reportEvery)
			add("during")
			if h.count(true) != 2 {
				t.Errorf("%d error reports after %s, want 2", h.count(true), reportEvery)
			}
			fs.mu.Lock()
			fs.full, fs.openErr = false, nil
			fs.mu.Unlock()
			add("after")
			if l.Err() != nil {
				t.Errorf("Err() = %v after space returned", l.Err())
			}
			if h.count(false) != 1 {
				t.Errorf("%d resume reports, want 1", h.count(false))
			}
			// Subscribers saw everything even while the disk was full.
			if n := len(sub); n != 8 {
				t.Errorf("subscriber got %d entries, want 8", n)
			}
			// Every line in the file is whole JSON; only before and after made it.
			fs.mu.Lock()
			data := string(fs.data)
			fs.mu.Unlock()
			var kinds []string
			for _, line := range strings.Split(strings.TrimSuffix(data, "\n"), "\n") {
				var e Entry
				if err := json.Unmarshal([]byte(line), &e); err != nil {
					if tt.noTrunc {
						continue // the cut-off fragment stands on its own line
					}
					t.Fatalf("half line %q: %v", line, err)
				}
				kinds = append(kinds, string(e.Kind))
			}
			if got := strings.Join(kinds, ","); got != "before,after" {
				t.Errorf("file holds %s, want before,after", got)
			}
		})
	}
}

func TestSubscribeAndRecent(t *testing.T) {
	l := New(Config{MaxSize: MinSize}, Options{Clock: clock.NewFake(t0)})
	c, cancel := l.Subscribe()
	for i := range recentCap + subBuffer + 10 {
		l.Add("n", "i", i) // more than the subscriber buffers: must not block
	}
	if len(c) != subBuffer {
		t.Errorf("buffered %d, want %d", len(c), subBuffer)
	}
	cancel()
	cancel()
	r := l.Recent()
	if len(r) != recentCap || r[len(r)-1].String("i") != "173" {
		t.Errorf("recent: %d entries, last %v", len(r), r[len(r)-1])
	}
	c2, _ := l.Subscribe()
	l.Close()
	if _, ok := <-c2; ok {
		t.Error("Close did not end the subscription")
	}
	c3, cancel3 := l.Subscribe()
	cancel3()
	if _, ok := <-c3; ok {
		t.Error("subscription after Close is open")
	}
}

func TestValidate(t *testing.T) {
	if err := (Config{MaxSize: MinSize - 1}).Validate(); err == nil {
		t.Error("tiny MaxSize accepted")
	}
	if err := (Config{MaxSize: MinSize}).Validate(); err != nil {
		t.Error(err)
	}
}

// slowFS is a disk that hangs until released.
type slowFS struct {
	failFS
	release chan struct{}
}

func (fs *slowFS) OpenAppend(string) (File, error) {
	return &slowFile{failFile{&fs.failFS}, fs.release}, nil
}

type slowFile struct {
	failFile
	release chan struct{}
}

func (f *slowFile) Write(p []byte) (int, error) {
	<-f.release
	return f.failFile.Write(p)
}

// TestSlowDiskDoesNotBlock runs in a synctest bubble, so "the writer has drained the queue" is
// a fact synctest.Wait establishes, not a poll.
func TestSlowDiskDoesNotBlock(t *testing.T) {
	synctest.Test(t, testSlowDiskDoesNotBlock)
}

func testSlowDiskDoesNotBlock(t *testing.T) {
	fs := &slowFS{release: make(chan struct{})}
	h := &countHandler{}
	l := New(Config{Path: "ev", MaxSize: 1 << 20}, Options{Clock: clock.NewFake(t0), FS: fs, Logger: slog.New(h)})
	// The disk hangs: every Add must still return, the excess being dropped.
	const n = queueLen + 50
	for i := range n {
		l.Add("n", "i", i)
	}
	close(fs.release)
	// "last" must find room, or it is dropped too and reported a second time (seen on a
	// loaded machine, where the writer had not taken anything off the queue yet).
	synctest.Wait()
	if len(l.queue) == cap(l.queue) {
		t.Fatal("the writer did not drain the queue after the disk came back")
	}
	l.Add("last")
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	if h.count(true) != 1 {
		t.Errorf("%d error reports, want 1 for the dropped entries", h.count(true))
	}
	l.Close()
	fs.mu.Lock()
	lines := strings.Count(string(fs.data), "\n")
	fs.mu.Unlock()
	// The writer may take one entry off the queue before it blocks, so one more may fit.
	if lines < queueLen || lines > queueLen+2 || len(l.Recent()) != recentCap {
		t.Errorf("%d lines written, want about %d; %d recent", lines, queueLen+1, len(l.Recent()))
	}
}

// TestFlushWithFullQueue: a Flush that waits for room in a full queue must not hold the lock
// the writer needs to drain it. It once deadlocked when the disk came back and an Add took
// the room the writer had just made: Flush then waited for room holding the lock the writer
// wanted. Close during such a Flush must wait for it rather than close the queue under it.
func TestFlushWithFullQueue(t *testing.T) {
	for range 300 {
		fs := &slowFS{release: make(chan struct{})}
		l := New(Config{Path: "ev", MaxSize: 1 << 20}, Options{Clock: clock.NewFake(t0), FS: fs})
		for i := range queueLen + 10 {
			l.Add("n", "i", i)
		}
		close(fs.release)
		l.Add("last") // may take the room the writer makes
		flushed := make(chan error, 1)
		go func() { flushed <- l.Flush() }()
		closed := make(chan error, 1)
		go func() { closed <- l.Close() }()
		for _, c := range []chan error{flushed, closed} {
			select {
			case <-c:
			case <-time.After(10 * time.Second):
				t.Fatal("Flush or Close still blocked 10 s after the disk came back")
			}
		}
	}
}
