//go:build unix

package config

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// lockUsers takes an exclusive lock beside the users file, so the intercom spending a guest
// PIN and `intercom users` editing the file do not overwrite each other's change.
func lockUsers(path string) (func(), error) {
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("config: users: lock: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("config: users: lock: %w", err)
	}
	return func() { _ = f.Close() }, nil
}
