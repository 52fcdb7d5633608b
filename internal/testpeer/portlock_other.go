//go:build !linux

package testpeer

// Elsewhere there is no lock across processes: the bind check alone guards a port.
type portLock struct{}

func ensureLockDir(string) error { return nil }

func lockPort(string, int) (portLock, bool) { return portLock{}, true }

func (portLock) unlock() {}
