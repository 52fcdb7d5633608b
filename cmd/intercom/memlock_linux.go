package main

import (
	"log/slog"

	"golang.org/x/sys/unix"
)

// lockMemory keeps the intercom's pages in RAM when real-time media is asked for: a page
// fault on an SD card in the middle of the 20 ms path is an audible gap. MCL_ONFAULT locks
// pages as they are touched rather than the whole virtual reservation of the Go runtime.
func lockMemory(logger *slog.Logger) {
	if err := unix.Mlockall(unix.MCL_CURRENT | unix.MCL_FUTURE | unix.MCL_ONFAULT); err != nil {
		logger.Warn("memory not locked; real-time audio may glitch under memory pressure (needs LimitMEMLOCK=infinity)", "err", err)
	}
}
