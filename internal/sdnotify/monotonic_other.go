//go:build !linux

package sdnotify

// monotonicUsec is unknown off Linux; systemd does not run there anyway.
func monotonicUsec() uint64 { return 0 }
