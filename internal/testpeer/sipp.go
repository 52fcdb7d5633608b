package testpeer

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// SippOptions describe one sipp run.
type SippOptions struct {
	// Scenario is an XML scenario file path, or a built-in name ("uas", "uac").
	Scenario string
	// Remote is where a client scenario sends its first request ("127.0.0.1:5060");
	// empty for server scenarios.
	Remote string
	// Service is the user part of the Request-URI (-s); default "door".
	Service string
	// Calls is how many calls to run before exiting (-m); default 1.
	Calls int
	// Args are extra sipp arguments.
	Args []string
}

// Sipp is a running sipp.
type Sipp struct {
	// Addr is sipp's own SIP address (UDP).
	Addr netip.AddrPort
	// Output returns what sipp printed so far.
	Output func() string
	done   chan error
	errLog string // sipp's -error_file: the messages it refused, with their text
	pid    int
}

// URI dials a sipp server scenario.
func (s *Sipp) URI(user string) string { return "sip:" + user + "@" + s.Addr.String() }

// StartSipp starts sipp on 127.0.0.1 without its screen (-bg is not used so the process
// stays ours); Wait collects its exit status (0 when every call followed the scenario).
func StartSipp(t testing.TB, o SippOptions) *Sipp {
	t.Helper()
	bin := Require(t, "sipp")
	if o.Calls == 0 {
		o.Calls = 1
	}
	if o.Service == "" {
		o.Service = "door"
	}
	dir := t.TempDir()
	// A program outside the allocator may have bound the port since: when sipp cannot
	// bind, try another.
	for attempt := 0; ; attempt++ {
		port := FreePort(t)
		s := startSippOn(t, bin, o, port, dir)
		exited, err := s.awaitBound(t, port)
		switch {
		case !exited:
			return s
		case strings.Contains(s.Output(), "Unable to bind") && attempt < 5:
			continue
		}
		s.done <- err // exited for another reason: Wait reports it
		return s
	}
}

// awaitBound waits until sipp holds its SIP port, or has exited (with Wait's error). Before
// then a request to it is refused; a loaded machine can delay the bind well past any fixed
// wait (the 150 ms this replaced).
func (s *Sipp) awaitBound(t testing.TB, port int) (exited bool, err error) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !udpBoundBy(s.pid, port) {
		select {
		case err := <-s.done:
			return true, err
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("testpeer: sipp has not bound port %d after 10 s\n%s", port, s.Output())
		}
	}
	return false, nil
}

func startSippOn(t testing.TB, bin string, o SippOptions, port int, dir string) *Sipp {
	t.Helper()
	args := []string{}
	if o.Scenario == "uas" || o.Scenario == "uac" {
		args = append(args, "-sn", o.Scenario)
	} else {
		abs, err := filepath.Abs(o.Scenario)
		if err != nil {
			t.Fatal(err)
		}
		args = append(args, "-sf", abs)
	}
	// -timeout bounds sipp's whole run: 2 s more per further call keeps a batch on a
	// loaded machine from being cut short; Wait's own limit still catches a hang.
	args = append(args, "-i", "127.0.0.1", "-p", strconv.Itoa(port), "-m", strconv.Itoa(o.Calls),
		"-s", o.Service, "-nostdin", "-trace_err", "-error_file", dir+"/errors.log",
		"-timeout", strconv.Itoa(30+2*(o.Calls-1))+"s", "-timeout_error", "-max_recv_loops", "100")
	args = append(args, o.Args...)
	if o.Remote != "" {
		args = append(args, o.Remote)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	out := &syncBuffer{}
	s := &Sipp{
		Addr:   netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port)),
		Output: out.String,
		done:   make(chan error, 1),
		errLog: filepath.Join(dir, "errors.log"),
	}
	startWait(t, "sipp", cmd, out, s.done)
	s.pid = cmd.Process.Pid
	return s
}

// Wait returns sipp's exit status, failing the test if it does not exit within d.
func (s *Sipp) Wait(t testing.TB, d time.Duration) error {
	t.Helper()
	select {
	case err := <-s.done:
		if err != nil {
			return fmt.Errorf("sipp: %w\n%s\nerrors.log (tail):\n%s", err, s.Output(), s.errTail())
		}
		return nil
	case <-time.After(d):
		t.Fatalf("sipp still running after %s\n%s", d, s.Output())
		return nil
	}
}

// errTail is the end of sipp's error file, which names the message it did not expect.
func (s *Sipp) errTail() string {
	b, err := os.ReadFile(s.errLog)
	if err != nil {
		return err.Error()
	}
	return string(b[max(0, len(b)-4000):])
}
