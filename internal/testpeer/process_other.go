//go:build !unix

package testpeer

import (
	"os/exec"
	"testing"
)

// The peers are Debian programs; elsewhere tests that need them skip.

type syncBuffer struct{ stop func() }

func (*syncBuffer) String() string { return "" }

func start(t testing.TB, name string, _ *exec.Cmd) *syncBuffer {
	t.Skipf("testpeer: %s needs a unix system", name)
	return nil
}

func startWait(t testing.TB, name string, _ *exec.Cmd, _ *syncBuffer, _ chan<- error) {
	t.Skipf("testpeer: %s needs a unix system", name)
}
