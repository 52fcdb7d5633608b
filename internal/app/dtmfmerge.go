package app

import (
	"sync"
	"time"
)

// dtmfPath is the way a digit reached us.
type dtmfPath uint8

const (
	dtmfINFO   dtmfPath = iota // SIP INFO (application/dtmf-relay or application/dtmf)
	dtmfEvent                  // RFC 4733 telephone-event
	dtmfInBand                 // tones detected in the decoded audio
)

// dtmfMergeWindow is how far apart the same key press may arrive by two paths: a PBX that
// sends INFO and RFC 4733 (or events plus the tones they leak into the audio) delivers both
// within a few hundred milliseconds; a person pressing a key twice is one path, twice.
const dtmfMergeWindow = 500 * time.Millisecond

// arrivedAt is when an event arrived at the package that reported it (at), or now when
// the event carries no time. Two paths' consumers may read their events late by different
// amounts on a loaded machine; merging by reading time could split one press in two.
func arrivedAt(at time.Time, clk interface{ Now() time.Time }) time.Time {
	if at.IsZero() {
		return clk.Now()
	}
	return at
}

// dtmfMerge counts each key press once whichever paths brought it: a digit that one path
// already reported within dtmfMergeWindow is that same press arriving by another path. The
// same digit by the same path again is a new press.
type dtmfMerge struct {
	mu     sync.Mutex
	recent [8]dtmfPress // a ring of the latest presses
	next   int
}

type dtmfPress struct {
	digit rune
	at    time.Time
	paths uint8 // bit per dtmfPath that has reported this press
}

// accept reports whether digit arriving by path at now is a new key press.
func (m *dtmfMerge) accept(digit rune, path dtmfPath, now time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	bit := uint8(1) << path
	// Newest first, so a repeated key matches its latest press.
	for i := 1; i <= len(m.recent); i++ {
		p := &m.recent[(m.next-i+len(m.recent))%len(m.recent)]
		if p.paths == 0 || now.Sub(p.at) > dtmfMergeWindow {
			break
		}
		if p.digit == digit && p.paths&bit == 0 {
			p.paths |= bit
			return false
		}
	}
	m.recent[m.next] = dtmfPress{digit: digit, at: now, paths: bit}
	m.next = (m.next + 1) % len(m.recent)
	return true
}
