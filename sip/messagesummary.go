package sip

import (
	"fmt"
	"strconv"
	"strings"
)

// MWI is a voicemail box's state from a message-summary NOTIFY (RFC 3842).
type MWI struct {
	// Account is the mailbox subscribed to ([sip.events] mwi entry).
	Account string
	// Waiting is Messages-Waiting: yes.
	Waiting bool
	// New and Old count voice messages (Voice-Message: new/old); 0 when not given.
	New, Old int
}

// parseMessageSummary reads an application/simple-message-summary body (RFC 3842 section
// 5.2): Messages-Waiting is required, Voice-Message optional, other lines are ignored.
func parseMessageSummary(body []byte) (MWI, error) {
	var m MWI
	seen := false
	for _, line := range strings.Split(string(body), "\n") {
		name, value, ok := strings.Cut(strings.TrimRight(line, "\r"), ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "messages-waiting":
			switch strings.ToLower(value) {
			case "yes":
				m.Waiting = true
			case "no":
				m.Waiting = false
			default:
				return MWI{}, fmt.Errorf("%w: Messages-Waiting %q", ErrBadSummary, value)
			}
			seen = true
		case "voice-message":
			counts, _, _ := strings.Cut(value, "(")
			n, o, ok := strings.Cut(strings.TrimSpace(counts), "/")
			if !ok {
				return MWI{}, fmt.Errorf("%w: Voice-Message %q", ErrBadSummary, value)
			}
			nv, err1 := strconv.ParseUint(strings.TrimSpace(n), 10, 16)
			ov, err2 := strconv.ParseUint(strings.TrimSpace(o), 10, 16)
			if err1 != nil || err2 != nil {
				return MWI{}, fmt.Errorf("%w: Voice-Message %q", ErrBadSummary, value)
			}
			m.New, m.Old = int(nv), int(ov)
		}
	}
	if !seen {
		return MWI{}, fmt.Errorf("%w: no Messages-Waiting", ErrBadSummary)
	}
	return m, nil
}
