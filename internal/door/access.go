package door

import (
	"context"
	"fmt"
	"time"
)

// CredentialKind is how a resident identified at the door.
type CredentialKind uint8

const (
	PINCredential CredentialKind = iota
	CardCredential
)

func (k CredentialKind) String() string {
	if k == CardCredential {
		return "card"
	}
	return "pin"
}

// Attempt is one PIN typed or card read at a keypad or reader, already checked against the
// users by the caller: hashing a PIN is slow and stays off the controller's loop. The
// controller counts wrong attempts per Source with the door code's lockout and opens the
// relay, so the door's rules (open_for, held-open alarms, the event log) hold for it too.
type Attempt struct {
	Source  string // "keypad:front", "reader:gate": what a lockout locks
	Via     CredentialKind
	Granted bool
	// Known: the credential is a user's, refused by schedule or validity. It is logged
	// but not counted as a wrong attempt.
	Known  bool
	User   string
	Relay  string // "" or RelayDoor: the door relay
	Reason string // why not granted, for the log
	Card   string // the card read, for the log (card numbers are no secret; PINs never come here)
}

// AccessOutcome is what the controller did with an Attempt.
type AccessOutcome uint8

const (
	AccessGranted AccessOutcome = iota
	AccessDenied
	AccessLockedOut // refused without looking: the source is locked out
)

// Access hands a checked attempt to the controller's loop and returns what it did.
func (c *Controller) Access(ctx context.Context, a Attempt) (AccessOutcome, error) {
	res, err := c.send(ctx, request{attempt: &a, reply: make(chan response, 1)})
	return res.access, err
}

// accessKey keeps keypad and reader lockouts apart from callers' URIs.
func accessKey(source string) string { return "access:" + source }

// minAccessLockout is a keypad's or reader's lockout when [door] lockout_for is 0: for the
// DTMF code that means "the rest of the call", and a keypad has no call to end.
const minAccessLockout = time.Minute

// accessLockout is the door's lockout settings as a keypad or reader gets them.
func accessLockout(d Door) Door {
	if d.LockoutFor <= 0 {
		d.LockoutFor = minAccessLockout
		d.LockoutMax = max(d.LockoutMax, minAccessLockout)
		d.LockoutReset = max(d.LockoutReset, d.LockoutMax)
	}
	return d
}

// onAttempt runs on the loop goroutine.
func (c *Controller) onAttempt(a Attempt) (Result, error) {
	now := c.clk.Now()
	key := accessKey(a.Source)
	// Only the source's own lockout applies: the global backstop is for rotating SIP caller
	// IDs, and must not let a remote attacker lock residents' cards out.
	if r := c.locks.callers[key]; r != nil && r.until.After(now) {
		c.events.AddFrom(EventAccessRefused, a.Source, "source", a.Source, "via", a.Via.String(), "until", r.until.UTC().Format(time.RFC3339))
		return Result{access: AccessLockedOut}, fmt.Errorf("%w until %s", ErrLockedOut, r.until.UTC().Format(time.RFC3339))
	}
	if a.Granted {
		c.locks.right(key)
		relay := a.Relay
		if relay == "" {
			relay = RelayDoor
		}
		by := a.User + " (" + a.Source + ")"
		var err error
		if relay == RelayDoor {
			err = c.openDoor(by, "access-"+a.Via.String())
		} else {
			err = c.openRelay(relay, by, "access-"+a.Via.String())
		}
		if err != nil {
			return Result{access: AccessDenied}, err
		}
		c.events.Add(EventAccessGranted, "user", a.User, "source", a.Source, "via", a.Via.String(), "relay", relay)
		return Result{Message: "opened " + relay, access: AccessGranted}, nil
	}
	fields := []any{"source", a.Source, "via", a.Via.String(), "reason", a.Reason}
	if a.User != "" {
		fields = append(fields, "user", a.User)
	}
	if a.Card != "" {
		fields = append(fields, "card", a.Card)
	}
	c.events.Add(EventAccessDenied, fields...)
	if a.Known {
		return Result{access: AccessDenied}, ErrDenied
	}
	d := accessLockout(c.cfg.Door)
	r := c.locks.wrong(key, now, d)
	if r.wrong < d.MaxAttempts {
		return Result{access: AccessDenied}, ErrDenied
	}
	level, dur, _ := c.locks.lock(r, now, d)
	if dur > 0 {
		c.events.Add(EventAccessLockout, "source", a.Source, "attempts", d.MaxAttempts, "level", level,
			"for", dur, "until", now.Add(dur).UTC().Format(time.RFC3339))
		c.armLockout()
	}
	return Result{access: AccessDenied}, ErrDenied
}
