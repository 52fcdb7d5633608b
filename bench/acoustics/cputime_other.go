//go:build !linux

package main

import "time"

// threadCPU falls back to wall time where there is no per-thread CPU clock; only its
// differences are used.
func threadCPU() time.Duration { return time.Duration(time.Now().UnixNano()) }
