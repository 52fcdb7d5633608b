package httpapi

import (
	"net/netip"
	"sync"
	"time"
)

// Lockout policy for failed logins from one source. Each new lockout of a source doubles the
// last, up to lockMax; a source quiet for lockReset starts again.
const (
	maxFailures  = 5
	failWindow   = 10 * time.Minute
	lockFirst    = time.Minute
	lockMax      = time.Hour
	lockReset    = 24 * time.Hour
	maxSources   = 10000
	reportPeriod = time.Minute
)

type source struct {
	failures int
	first    time.Time // of the failures counted
	until    time.Time // locked out until
	lockouts int
	last     time.Time // last failure
	reported time.Time // last log line about this source
	quiet    int
}

// lockouts tracks failed logins per source address (IPv6 per /64, which one host can rotate
// through freely).
type lockouts struct {
	mu  sync.Mutex
	src map[netip.Addr]*source
}

func newLockouts() *lockouts { return &lockouts{src: map[netip.Addr]*source{}} }

func sourceKey(a netip.Addr) netip.Addr {
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.Addr()
	}
	return a
}

// locked reports whether a is locked out now, and until when.
func (l *lockouts) locked(a netip.Addr, now time.Time) (bool, time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.src[sourceKey(a)]
	if s == nil || !now.Before(s.until) {
		return false, time.Time{}
	}
	return true, s.until
}

// fail records a failed login from a. It returns the lockout it started (zero if none) and
// whether this failure should be logged: once per source per reportPeriod.
func (l *lockouts) fail(a netip.Addr, now time.Time) (lockedFor time.Duration, report bool, suppressed int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := sourceKey(a)
	s := l.src[k]
	if s == nil {
		if len(l.src) >= maxSources {
			l.evict(now)
		}
		s = &source{}
		l.src[k] = s
	}
	if !s.last.IsZero() && now.Sub(s.last) > lockReset {
		*s = source{}
	}
	if s.failures == 0 || now.Sub(s.first) > failWindow {
		s.failures, s.first = 0, now
	}
	s.failures++
	s.last = now
	if s.failures >= maxFailures {
		d := lockFirst << min(s.lockouts, 10)
		d = min(d, lockMax)
		s.lockouts++
		s.failures = 0
		s.until = now.Add(d)
		lockedFor = d
	}
	if s.reported.IsZero() || now.Sub(s.reported) >= reportPeriod {
		report, suppressed = true, s.quiet
		s.reported, s.quiet = now, 0
	} else {
		s.quiet++
	}
	return lockedFor, report, suppressed
}

// succeed clears the failures of a (not its lockout history).
func (l *lockouts) succeed(a netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s := l.src[sourceKey(a)]; s != nil {
		s.failures = 0
	}
}

// evict drops sources that are not locked out, oldest failure first, to make room; called
// with mu held.
func (l *lockouts) evict(now time.Time) {
	for k, s := range l.src {
		if !now.Before(s.until) && now.Sub(s.last) > failWindow {
			delete(l.src, k)
		}
	}
	if len(l.src) < maxSources {
		return
	}
	for k, s := range l.src {
		if !now.Before(s.until) {
			delete(l.src, k)
			if len(l.src) < maxSources/2 {
				return
			}
		}
	}
}
