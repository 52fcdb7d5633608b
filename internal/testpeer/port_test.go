package testpeer

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// childEnv makes the test binary a port-holding child for TestPortsAcrossProcesses.
const childEnv = "INTERCOM_TESTPEER_PORT_CHILD"

// childRuns is what each child takes: single SIP ports, baresip's pair and RTP ranges.
func childRuns() []int { return []int{1, 21, 1, 2, 21, 1, 21, 1, 1, 21} }

// TestPortsAcrossProcesses: two processes that search the band from the same start at the
// same time never get a common port, and a third run after they exit gets their ports back.
func TestPortsAcrossProcesses(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		holdPorts()
		return
	}
	if runtime.GOOS != "linux" {
		t.Skip("the cross-process lock is flock on linux")
	}
	type result struct {
		ports []int
		err   error
	}
	results := make(chan result, 2)
	for range 2 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestPortsAcrossProcesses$", "-test.count=1")
		cmd.Env = append(os.Environ(), childEnv+"=1")
		cmd.Stderr = os.Stderr
		in, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Closing stdin lets the child release its ports and exit.
		t.Cleanup(func() { in.Close(); _ = cmd.Wait() })
		go func() {
			var r result
			r.ports, r.err = readPorts(out)
			results <- r
		}()
	}
	childPorts := 0
	for _, n := range childRuns() {
		childPorts += n
	}
	owner := map[int]int{}
	for i := range 2 {
		r := <-results
		if r.err != nil {
			t.Fatal(r.err)
		}
		if len(r.ports) != childPorts {
			t.Fatalf("child got %d ports, want %d", len(r.ports), childPorts)
		}
		for _, p := range r.ports {
			if _, dup := owner[p]; dup {
				t.Errorf("port %d held by both processes", p)
			}
			owner[p] = i
		}
	}
	// While both hold theirs, this process, searching from the same start, gets neither's.
	a := newPortAllocator()
	a.start = 0
	lo, release, err := a.take(21)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	for p := lo; p <= lo+20; p++ {
		if _, dup := owner[p]; dup {
			t.Errorf("port %d handed out while a child holds it", p)
		}
	}
}

// holdPorts takes ports from a fixed start, prints them and "held", and keeps them until
// stdin closes.
func holdPorts() {
	a := newPortAllocator()
	a.start = 0
	var releases []func()
	w := bufio.NewWriter(os.Stdout)
	for _, n := range childRuns() {
		lo, release, err := a.take(n)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		releases = append(releases, release)
		for p := lo; p < lo+n; p++ {
			fmt.Fprintln(w, p)
		}
	}
	fmt.Fprintln(w, "held")
	w.Flush()
	_, _ = io.Copy(io.Discard, os.Stdin)
	for _, r := range releases {
		r()
	}
	os.Exit(0)
}

// readPorts reads a child's ports up to its "held".
func readPorts(r io.Reader) ([]int, error) {
	var ports []int
	s := bufio.NewScanner(r)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if line == "held" {
			return ports, nil
		}
		p, err := strconv.Atoi(line)
		if err != nil {
			return nil, fmt.Errorf("child printed %q", line)
		}
		ports = append(ports, p)
	}
	return nil, fmt.Errorf("child exited before holding its ports: %v", s.Err())
}

// TestPortRange: a range is the size asked for, inside the band, and bindable.
func TestPortRange(t *testing.T) {
	for _, n := range []int{1, 2, 21} {
		lo, hi := PortRange(t, n)
		if hi-lo+1 != n || lo < bandLow || hi > bandHigh {
			t.Errorf("PortRange(%d) = %d-%d", n, lo, hi)
		}
		for p := lo; p <= hi; p++ {
			if !bindable(p) {
				t.Errorf("port %d of %d-%d not bindable", p, lo, hi)
			}
		}
	}
	if _, _, err := newPortAllocator().take(0); err == nil {
		t.Error("take(0) succeeded")
	}
}
