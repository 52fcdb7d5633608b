package sip

import (
	"log/slog"

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

// SetLibraryLogger routes the log lines sipgo writes through its package logger (connection
// pool warnings and the like) to l. sipgo keeps its logger in a package variable, so this is
// process-wide: main calls it once.
func SetLibraryLogger(l *slog.Logger) {
	gosip.SetDefaultLogger(l)
}
