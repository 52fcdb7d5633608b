package media

import (
	"fmt"
	"time"
)

// EventKind says what an Event carries.
type EventKind int

const (
	// EventDTMF: a digit arrived (RFC 4733, or in-band when InBand is set).
	EventDTMF EventKind = iota + 1
	// EventTimeout: no valid RTP for SessionConfig.RTPTimeout; the controller hangs up.
	EventTimeout
	// EventStats: the periodic figures, sent with each RTCP report (about every 5 s).
	EventStats
)

func (k EventKind) String() string {
	switch k {
	case EventDTMF:
		return "dtmf"
	case EventTimeout:
		return "timeout"
	case EventStats:
		return "stats"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is what a Session reports to the controller.
type Event struct {
	Kind   EventKind
	Digit  rune
	InBand bool
	Stats  Stats
	// At is when the session saw it (its clock): a digit that also came another way is
	// merged by when each arrived, not by when a loaded consumer got round to reading it.
	At time.Time
}
