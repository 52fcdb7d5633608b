package testpeer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// portLock is one port's flock'd lock file; the lock lives as long as the descriptor.
type portLock struct{ f *os.File }

// ensureLockDir makes the lock directory, writable by every user: engineers (and root in CI)
// share the machine's ports.
func ensureLockDir(dir string) error {
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return fmt.Errorf("testpeer: port lock dir: %w", err)
	}
	if fi, err := os.Stat(dir); err == nil && fi.Mode().Perm() != 0o777 {
		_ = os.Chmod(dir, 0o777|os.ModeSticky) // only the owner can; others find it done
	}
	return nil
}

// lockPort takes port's lock without waiting; false when another holder has it.
func lockPort(dir string, port int) (portLock, bool) {
	f, err := os.OpenFile(filepath.Join(dir, fmt.Sprintf("%d.lock", port)), os.O_RDONLY|os.O_CREATE, 0o666)
	if err != nil {
		return portLock{}, false
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return portLock{}, false
	}
	return portLock{f}, true
}

// unlock drops the lock by closing the descriptor that holds it.
func (l portLock) unlock() { l.f.Close() }
