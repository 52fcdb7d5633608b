package clock

import (
	"sort"
	"sync"
	"time"
)

// Fake is a Clock that moves only when Advance or Set is called. Timers and tickers whose
// deadline is reached fire (non-blocking sends on 1-buffered channels, like the runtime's).
type Fake struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

// NewFake returns a fake clock set to start.
func NewFake(start time.Time) *Fake { return &Fake{now: start} }

func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *Fake) Since(t time.Time) time.Duration { return f.Now().Sub(t) }

func (f *Fake) After(d time.Duration) <-chan time.Time { return f.NewTimer(d).C() }

func (f *Fake) NewTimer(d time.Duration) Timer {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := &fakeTimer{f: f, c: make(chan time.Time, 1), when: f.now.Add(d), active: true}
	f.timers = append(f.timers, t)
	return t
}

func (f *Fake) NewTicker(d time.Duration) Ticker {
	if d <= 0 {
		panic("clock: non-positive interval for NewTicker")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	t := &fakeTimer{f: f, c: make(chan time.Time, 1), when: f.now.Add(d), period: d, active: true}
	f.timers = append(f.timers, t)
	return fakeTicker{t}
}

type fakeTicker struct{ t *fakeTimer }

func (k fakeTicker) C() <-chan time.Time   { return k.t.c }
func (k fakeTicker) Stop()                 { k.t.Stop() }
func (k fakeTicker) Reset(d time.Duration) { k.t.Reset(d) }

// Advance moves the clock forward by d, firing every timer due on the way, in deadline order.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	end := f.now.Add(d)
	for {
		t := f.nextDueLocked(end)
		if t == nil {
			break
		}
		f.now = t.when
		select {
		case t.c <- t.when:
		default:
		}
		if t.period > 0 {
			t.when = t.when.Add(t.period)
		} else {
			t.active = false
		}
	}
	f.now = end
	f.mu.Unlock()
}

// Timers reports how many timers and tickers are pending; tests use it to wait until the code
// under test has armed its timer before advancing.
func (f *Fake) Timers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, t := range f.timers {
		if t.active {
			n++
		}
	}
	return n
}

// NextDue reports how long until the earliest pending timer fires; tests use it to see that
// the code under test re-armed a timer (a refresh restarted, a deadline moved).
func (f *Fake) NextDue() (time.Duration, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var next time.Time
	for _, t := range f.timers {
		if t.active && (next.IsZero() || t.when.Before(next)) {
			next = t.when
		}
	}
	return next.Sub(f.now), !next.IsZero()
}

func (f *Fake) nextDueLocked(end time.Time) *fakeTimer {
	live := f.timers[:0]
	for _, t := range f.timers {
		if t.active {
			live = append(live, t)
		}
	}
	f.timers = live
	sort.SliceStable(f.timers, func(i, j int) bool { return f.timers[i].when.Before(f.timers[j].when) })
	if len(f.timers) > 0 && !f.timers[0].when.After(end) {
		return f.timers[0]
	}
	return nil
}

type fakeTimer struct {
	f      *Fake
	c      chan time.Time
	when   time.Time
	period time.Duration
	active bool
}

func (t *fakeTimer) C() <-chan time.Time { return t.c }

func (t *fakeTimer) Stop() bool {
	t.f.mu.Lock()
	defer t.f.mu.Unlock()
	was := t.active
	t.active = false
	return was
}

func (t *fakeTimer) Reset(d time.Duration) bool {
	t.f.mu.Lock()
	defer t.f.mu.Unlock()
	was := t.active
	t.when = t.f.now.Add(d)
	if t.period > 0 {
		t.period = d
	}
	t.active = true
	for _, x := range t.f.timers {
		if x == t {
			return was // a stopped timer stays listed until pruned: arm it in place
		}
	}
	t.f.timers = append(t.f.timers, t)
	return was
}
