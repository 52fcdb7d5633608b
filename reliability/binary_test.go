//go:build linux

package reliability

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/control"
	"github.com/doorsip/intercom/internal/door"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	stopLiveDoor()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// intercomBinary builds cmd/intercom once per test run (static, as shipped).
func intercomBinary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "intercom-reliability-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "intercom")
		cmd := exec.Command("go", "build", "-o", binPath, "github.com/doorsip/intercom/cmd/intercom")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = &buildError{err: err, out: string(out)}
		}
	})
	if binErr != nil {
		t.Fatalf("build intercom: %v", binErr)
	}
	return binPath
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// proc is one running intercom binary.
type proc struct {
	cmd    *exec.Cmd
	logs   *lockedBuffer
	socket string
	exited chan struct{}
	err    error
}

// startBinary runs `intercom run -config cfg` in its own process group; extra prefixes the
// command (e.g. "ip netns exec A"). Cleanup kills what is left.
func startBinary(t testing.TB, cfg, socket string, prefix ...string) *proc {
	t.Helper()
	args := append(append([]string{}, prefix...), intercomBinary(t), "run", "-config", cfg)
	cmd := exec.Command(args[0], args[1:]...)
	p := &proc{cmd: cmd, logs: &lockedBuffer{}, socket: socket, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.logs, p.logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() { p.kill(syscall.SIGKILL) })
	return p
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

// kill signals the process group and waits (at most 5 s) for the exit.
func (p *proc) kill(sig syscall.Signal) {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, sig)
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.exited
	}
}

// ctl sends one command over the control socket.
func (p *proc) ctl(cmd door.Command) (control.Response, error) {
	return p.request(control.Request{Op: cmd.Op, Arg: cmd.Arg, Long: cmd.Long})
}

// request sends one request over the control socket and returns the first response.
func (p *proc) request(req control.Request) (control.Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	c, err := control.Dial(ctx, p.socket)
	if err != nil {
		return control.Response{}, err
	}
	defer c.Close()
	return c.Do(req)
}

// waitControl waits until the control socket answers status.
func (p *proc) waitControl(t testing.TB, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		if _, err := p.ctl(door.Command{Op: "status"}); err == nil {
			return
		}
		select {
		case <-p.exited:
			t.Fatalf("intercom exited: %v\n%s", p.err, tail(p.logs.String(), 3000))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("control socket not answering after %s\n%s", limit, tail(p.logs.String(), 3000))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
