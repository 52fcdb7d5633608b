//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// procs owns every process bench starts; stopAll ends them all, whatever happened.
type procs struct {
	mu      sync.Mutex
	list    []*proc
	closed  bool
	cleanup []func()
	stop    sync.Once // a second stopAll (main after the signal handler) waits for the first
}

// atExit runs f after stopAll (also when bench is interrupted).
func (ps *procs) atExit(f func()) {
	ps.mu.Lock()
	ps.cleanup = append(ps.cleanup, f)
	ps.mu.Unlock()
}

// proc is one started program with its output kept for failure reports.
type proc struct {
	name    string
	cmd     *exec.Cmd
	out     *syncBuffer
	started time.Time
	done    chan struct{}
	err     error
}

func (p *proc) Pid() int { return p.cmd.Process.Pid }

// Exited reports whether the process has ended.
func (p *proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Output is what the program printed so far.
func (p *proc) Output() string { return p.out.String() }

// Wait waits at most d for the process to end by itself.
func (p *proc) Wait(d time.Duration) error {
	select {
	case <-p.done:
		return p.err
	case <-time.After(d):
		return fmt.Errorf("bench: %s still running after %s", p.name, d)
	}
}

// Stop sends SIGTERM to the process group, then SIGKILL after grace.
func (p *proc) Stop(grace time.Duration) {
	if p.Exited() {
		return
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

// start runs name with args in a new process group.
func (ps *procs) start(name string, bin string, args ...string) (*proc, error) {
	return ps.startEnv(name, nil, bin, args...)
}

// startEnv is start with extra environment variables (KEY=VALUE).
func (ps *procs) startEnv(name string, env []string, bin string, args ...string) (*proc, error) {
	cmd := exec.Command(bin, args...)
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	p := &proc{name: name, cmd: cmd, out: out, done: make(chan struct{})}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.closed {
		return nil, fmt.Errorf("bench: stopping, %s not started", name)
	}
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: start %s: %w", name, err)
	}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	ps.list = append(ps.list, p)
	return p, nil
}

// stopAll ends every process still running, newest first, refuses new ones, and runs the
// atExit functions.
func (ps *procs) stopAll() { ps.stop.Do(ps.stopNow) }

func (ps *procs) stopNow() {
	ps.mu.Lock()
	list, cleanup := ps.list, ps.cleanup
	ps.list, ps.cleanup, ps.closed = nil, nil, true
	ps.mu.Unlock()
	var wg sync.WaitGroup
	for i := len(list) - 1; i >= 0; i-- {
		wg.Add(1)
		go func(p *proc) { defer wg.Done(); p.Stop(3 * time.Second) }(list[i])
	}
	wg.Wait()
	for i := len(cleanup) - 1; i >= 0; i-- {
		cleanup[i]()
	}
}

// syncBuffer keeps the first MiB a program prints.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.b.Len() < 1<<20 {
		s.b.Write(p)
	}
	return len(p), nil
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
