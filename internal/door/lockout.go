package door

import (
	"sort"
	"time"
)

// maxCallers bounds the door code's memory of callers. The From of a call is the caller's
// to choose, so without a bound a PBX-side attacker could grow it with every call.
const maxCallers = 256

// maxLevel stops counting a caller's lockouts once any further doubling is past every
// allowed lockout_max (24h << 10 is far beyond 168h), so the shift cannot overflow.
const maxLevel = 16

// callerLock is what the door code remembers of one caller across calls.
type callerLock struct {
	wrong     int       // wrong codes since the last lockout or right code
	level     int       // lockouts in the current streak
	lastWrong time.Time // the streak ends lockout_reset after this
	lockedAt  time.Time // start of the latest lockout, for the global backstop
	until     time.Time // codes refused until then; zero once the lockout is over
}

// lockouts holds the per-caller lockouts and the global backstop. It belongs to the Run
// goroutine like the rest of the controller's state.
type lockouts struct {
	callers map[string]*callerLock // by uriKey
	global  time.Time              // codes refused for everyone until then; zero when not
}

// refusedUntil returns until when key's codes are refused at now; zero when they are not.
func (l *lockouts) refusedUntil(key string, now time.Time) time.Time {
	var until time.Time
	if l.global.After(now) {
		until = l.global
	}
	if r := l.callers[key]; r != nil && r.until.After(now) && r.until.After(until) {
		until = r.until
	}
	return until
}

// locked reports whether a lockout of key, or the global one, has not been lifted yet. It
// reads the state the expiry timer leaves rather than the clock, so the status changes with
// the door-code-unlocked entry.
func (l *lockouts) locked(key string) bool {
	if !l.global.IsZero() {
		return true
	}
	r := l.callers[key]
	return r != nil && !r.until.IsZero()
}

// any reports whether any lockout has not been lifted yet.
func (l *lockouts) any() bool { return !l.next().IsZero() }

// wrong counts a wrong code from key and returns its record.
func (l *lockouts) wrong(key string, now time.Time, d Door) *callerLock {
	r := l.get(key, now)
	if !r.lastWrong.IsZero() && now.Sub(r.lastWrong) >= d.LockoutReset {
		r.wrong, r.level = 0, 0
	}
	r.lastWrong = now
	r.wrong++
	return r
}

// right forgets key's wrong codes after the right one; the streak of lockouts stays until
// lockout_reset, so interleaving the right code does not reset an attacker who shares the
// caller ID with someone who knows it.
func (l *lockouts) right(key string) {
	if r := l.callers[key]; r != nil {
		r.wrong = 0
	}
}

// lock starts a lockout of r at now and returns its level (1 = the first), its length (0:
// lockout_for is 0, so only the call is locked) and, when it tripped the global backstop,
// how many callers were locked out within lockout_for (else 0).
func (l *lockouts) lock(r *callerLock, now time.Time, d Door) (level int, dur time.Duration, global int) {
	r.wrong = 0
	if r.level < maxLevel {
		r.level++
	}
	dur = lockoutLength(d.LockoutFor, r.level, d.LockoutMax)
	if dur <= 0 {
		return r.level, 0, 0
	}
	r.lockedAt, r.until = now, now.Add(dur)
	if d.LockoutGlobal > 0 && !l.global.After(now) {
		n := 0
		for _, o := range l.callers {
			if !o.lockedAt.IsZero() && now.Sub(o.lockedAt) < d.LockoutFor {
				n++
			}
		}
		if n > d.LockoutGlobal {
			l.global = now.Add(d.LockoutFor)
			global = n
		}
	}
	return r.level, dur, global
}

// lockoutLength is base doubled for each level after the first, capped at limit.
func lockoutLength(base time.Duration, level int, limit time.Duration) time.Duration {
	if base <= 0 {
		return 0
	}
	d := base
	for i := 1; i < level && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// expire lifts every lockout over at now and returns the callers whose lockout ended, in
// order, with "*" for the global one.
func (l *lockouts) expire(now time.Time) []string {
	var over []string
	for k, r := range l.callers {
		if !r.until.IsZero() && !r.until.After(now) {
			r.until = time.Time{}
			over = append(over, k)
		}
	}
	sort.Strings(over)
	if !l.global.IsZero() && !l.global.After(now) {
		l.global = time.Time{}
		over = append(over, "*")
	}
	return over
}

// next returns the end of the lockout that ends first; zero when none is pending.
func (l *lockouts) next() time.Time {
	next := l.global
	for _, r := range l.callers {
		if !r.until.IsZero() && (next.IsZero() || r.until.Before(next)) {
			next = r.until
		}
	}
	return next
}

// get returns key's record, making room for it when the memory is full.
func (l *lockouts) get(key string, now time.Time) *callerLock {
	if r := l.callers[key]; r != nil {
		return r
	}
	if l.callers == nil {
		l.callers = map[string]*callerLock{}
	}
	if len(l.callers) >= maxCallers {
		l.evict(now)
	}
	r := &callerLock{}
	l.callers[key] = r
	return r
}

// evict drops the record that matters least: of the callers not locked out, the one whose
// last wrong code is oldest; when every caller is locked out (the global backstop is off or
// was outrun), the lockout that ends first.
func (l *lockouts) evict(now time.Time) {
	var (
		victim     string
		when       time.Time
		victimLock bool
	)
	for k, r := range l.callers {
		isLocked := r.until.After(now)
		t := r.lastWrong
		if isLocked {
			t = r.until
		}
		better := victim == "" ||
			victimLock && !isLocked ||
			victimLock == isLocked && (t.Before(when) || t.Equal(when) && k < victim)
		if better {
			victim, when, victimLock = k, t, isLocked
		}
	}
	delete(l.callers, victim)
}
