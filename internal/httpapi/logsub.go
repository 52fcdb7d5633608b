package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/doorsip/intercom/internal/clock"
)

// EventNames are the 2N event names this unit produces (log/caps).
func EventNames() []string {
	return []string{
		"DeviceState", "KeyPressed", "KeyReleased", "InputChanged", "OutputChanged", "SwitchStateChanged",
		"CallStateChanged", "RegistrationStateChanged", "DoorOpenTooLong", "CodeEntered", "TamperSwitchActivated",
	}
}

const (
	maxSubs       = 32               // log subscriptions at once
	maxQueued     = 1000             // events a subscription holds before losing the oldest
	maxBatch      = 128              // events per pull, as 2N units send
	maxRecent     = 500              // events kept for include=all
	defaultExpiry = 90 * time.Second // a subscription nobody pulls from ends after this
	maxExpiry     = time.Hour        // the longest duration a client may ask for
	maxPullWait   = 60 * time.Second // the longest long poll
)

// logEvent is one event as log/pull returns it.
type logEvent struct {
	ID      uint64         `json:"id"`
	UTCTime int64          `json:"utcTime"`
	UpTime  int64          `json:"upTime"`
	Event   string         `json:"event"`
	Params  map[string]any `json:"params"`
}

type subscription struct {
	filter   map[string]bool // nil: every event
	events   []logEvent
	notify   chan struct{}
	duration time.Duration
	expires  time.Time
}

// logHub fans events out to the log subscriptions.
type logHub struct {
	clk     clock.Clock
	started time.Time

	// waiting counts long polls in progress (tests wait for one before sending an event).
	waiting atomic.Int32

	mu     sync.Mutex
	subs   map[uint32]*subscription
	nextID uint64
	recent []logEvent
}

func newLogHub(clk clock.Clock, started time.Time) *logHub {
	return &logHub{clk: clk, started: started, subs: map[uint32]*subscription{}}
}

func (h *logHub) publish(e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.nextID++
	le := logEvent{ID: h.nextID, UTCTime: e.Time.Unix(), UpTime: int64(e.Time.Sub(h.started) / time.Second), Event: e.Name, Params: e.Params}
	if le.Params == nil {
		le.Params = map[string]any{}
	}
	h.recent = append(h.recent, le)
	if len(h.recent) > 2*maxRecent {
		h.recent = append(h.recent[:0], h.recent[len(h.recent)-maxRecent:]...)
	}
	for _, s := range h.subs {
		if s.filter != nil && !s.filter[le.Event] {
			continue
		}
		if len(s.events) >= maxQueued {
			s.events = s.events[1:]
		}
		s.events = append(s.events, le)
		select {
		case s.notify <- struct{}{}:
		default:
		}
	}
}

// subscribe opens a subscription; ok is false when there are too many.
func (h *logHub) subscribe(filter []string, all bool, d time.Duration) (uint32, bool) {
	now := h.clk.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.expireLocked(now)
	if len(h.subs) >= maxSubs {
		return 0, false
	}
	s := &subscription{notify: make(chan struct{}, 1), duration: d, expires: now.Add(d)}
	if len(filter) > 0 {
		s.filter = map[string]bool{}
		for _, f := range filter {
			s.filter[f] = true
		}
	}
	if all {
		for _, e := range h.recent[max(0, len(h.recent)-maxRecent):] {
			if s.filter == nil || s.filter[e.Event] {
				s.events = append(s.events, e)
			}
		}
	}
	var id uint32
	for id == 0 || h.subs[id] != nil {
		var b [4]byte
		_, _ = rand.Read(b[:])
		id = binary.BigEndian.Uint32(b[:]) &^ (1 << 31) // positive as a signed 32-bit number too
	}
	h.subs[id] = s
	return id, true
}

func (h *logHub) unsubscribe(id uint32) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, ok := h.subs[id]
	delete(h.subs, id)
	return ok
}

func (h *logHub) expireLocked(now time.Time) {
	for id, s := range h.subs {
		if now.After(s.expires) {
			delete(h.subs, id)
		}
	}
}

// take removes up to maxBatch events of subscription id; found is false for an unknown id.
func (h *logHub) take(id uint32) (events []logEvent, notify <-chan struct{}, found bool) {
	now := h.clk.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.expireLocked(now)
	s := h.subs[id]
	if s == nil {
		return nil, nil, false
	}
	s.expires = now.Add(s.duration)
	n := min(len(s.events), maxBatch)
	events = slices.Clone(s.events[:n])
	s.events = s.events[n:]
	return events, s.notify, true
}

// pull waits up to wait for events of subscription id (the 2N long poll).
func (h *logHub) pull(ctx context.Context, id uint32, wait time.Duration) ([]logEvent, bool) {
	events, notify, found := h.take(id)
	if !found || len(events) > 0 || wait <= 0 {
		return events, found
	}
	t := h.clk.NewTimer(wait)
	defer t.Stop()
	h.waiting.Add(1)
	defer h.waiting.Add(-1)
	for {
		select {
		case <-notify:
			events, _, found = h.take(id)
			if !found || len(events) > 0 {
				return events, found
			}
		case <-t.C():
			events, _, found = h.take(id)
			return events, found
		case <-ctx.Done():
			return nil, true
		}
	}
}
