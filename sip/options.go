package sip

import (
	"log/slog"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	gosip "github.com/emiago/sipgo/sip"
)

// Options are the UA's collaborators, injected by main (or a test).
type Options struct {
	// Logger receives the UA's logs; nil discards them.
	Logger *slog.Logger
	// Clock drives registration refresh, backoff, 2xx retransmission and session timers;
	// nil means the wall clock.
	Clock clock.Clock
	// EventBuffer is the capacity of the Events channel; 0 means 64.
	EventBuffer int
}

// SetProtocolTimers sets RFC 3261 T1, T2 and T4 for the whole process. sipgo keeps them in
// package variables, so main calls this once at start-up, before any UA runs; library code
// never calls it.
func SetProtocolTimers(t1, t2, t4 time.Duration) {
	gosip.SetTimers(t1, t2, t4)
}

// SetLibraryLogger routes the log lines sipgo writes through its package logger (connection
// pool warnings and the like) to l. Like SetProtocolTimers it is process-wide: main calls it
// once.
func SetLibraryLogger(l *slog.Logger) {
	gosip.SetDefaultLogger(l)
}
