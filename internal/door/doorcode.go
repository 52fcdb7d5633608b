package door

import "time"

// codeState is the DTMF door code state of one call.
type codeState struct {
	buf     []byte // the last len(code) digits
	locked  bool   // max_attempts reached: digits are ignored until the call ends
	refused bool   // a door-code-refused entry was written for this call
	// from and key cache uriKey of the caller, which refresh needs on every event.
	from, key string
}

// callerKey returns the lockout key of the call in progress.
func (c *Controller) callerKey() string {
	if from := c.call.Remote(); from != c.code.from || c.code.key == "" {
		c.code.from, c.code.key = from, uriKey(from)
	}
	return c.code.key
}

// onLockoutOver lifts every lockout that has ended and waits for the next one.
func (c *Controller) onLockoutOver() {
	for _, k := range c.locks.expire(c.clk.Now()) {
		c.events.Add(EventDoorCodeUnlocked, "caller", k)
	}
	c.armLockout()
}

// armLockout points the lockout timer at the end of the lockout that ends first.
func (c *Controller) armLockout() {
	next := c.locks.next()
	if next.IsZero() {
		c.lockT.stop()
		return
	}
	c.lockT.arm(c.clk, next.Sub(c.clk.Now()))
}

// onDigit feeds one digit from the far end of the call in progress. The buffer slides, so
// every digit after the first len(code) completes a candidate and counts as one attempt:
// otherwise a caller could try one code per digit with a de Bruijn sequence.
func (c *Controller) onDigit(d rune) {
	want := c.cfg.Door.DTMFCode
	if !c.cfg.Door.HasRelay || want == "" || c.code.locked {
		return
	}
	from := c.call.Remote()
	if !uriAllowed(from, c.cfg.Door.Allowed) {
		return
	}
	key := c.callerKey()
	now := c.clk.Now()
	if until := c.locks.refusedUntil(key, now); !until.IsZero() {
		if !c.code.refused {
			c.code.refused = true
			c.events.Add(EventDoorCodeRefused, "from", from, "caller", key, "until", until.UTC().Format(time.RFC3339))
		}
		return
	}
	if d > 0x7f {
		return
	}
	c.code.buf = append(c.code.buf, byte(d))
	if n := len(c.code.buf) - len(want); n > 0 {
		c.code.buf = append(c.code.buf[:0], c.code.buf[n:]...)
	}
	if len(c.code.buf) < len(want) {
		return
	}
	if codeMatches(string(c.code.buf), want) {
		c.code.buf = c.code.buf[:0]
		c.locks.right(key)
		c.openDoor(from, "dtmf")
		return
	}
	r := c.locks.wrong(key, now, c.cfg.Door)
	c.events.Add(EventDoorCodeWrong, "from", from, "attempt", r.wrong)
	if r.wrong < c.cfg.Door.MaxAttempts {
		return
	}
	c.code.locked = true
	level, dur, global := c.locks.lock(r, now, c.cfg.Door)
	if dur > 0 {
		c.events.Add(EventDoorCodeLockout, "from", from, "caller", key, "attempts", c.cfg.Door.MaxAttempts,
			"level", level, "for", dur, "until", now.Add(dur).UTC().Format(time.RFC3339))
	} else {
		// lockout_for 0: only this call is locked, nothing to wait for.
		c.events.Add(EventDoorCodeLockout, "from", from, "caller", key, "attempts", c.cfg.Door.MaxAttempts,
			"level", level, "for", dur)
	}
	if global > 0 {
		c.events.Add(EventDoorCodeLockout, "caller", "*", "callers", global,
			"for", c.cfg.Door.LockoutFor, "until", c.locks.global.UTC().Format(time.RFC3339))
	}
	c.armLockout()
}

// openDoor pulses the relay for door.open_for. The board times the pulse; the controller's
// own timer only tracks it for the door-open LED and the status.
func (c *Controller) openDoor(by, via string) error {
	if !c.cfg.Door.HasRelay {
		return ErrNoRelay
	}
	if err := c.board.Pulse(RelayDoor, c.cfg.Door.OpenFor); err != nil {
		c.events.Add(EventDoorError, "by", by, "via", via, "err", err)
		return err
	}
	c.doorOpen = true
	c.doorT.arm(c.clk, c.cfg.Door.OpenFor)
	c.events.Add(EventDoorOpen, "by", by, "via", via, "for", c.cfg.Door.OpenFor)
	return nil
}

func (c *Controller) onDoorClosed() {
	c.doorOpen = false
	c.events.Add(EventDoorReleased)
}

// sendCode is the indoor unit's open button: the far end (the door station) opens when it
// hears its code.
func (c *Controller) sendCode() error {
	for _, d := range c.cfg.Door.DTMFCode {
		if err := c.call.SendDTMF(d); err != nil {
			c.events.Add(EventDoorCodeSendFailed, "to", c.call.Remote(), "err", err)
			return err
		}
	}
	c.events.Add(EventDoorCodeSent, "to", c.call.Remote())
	return nil
}
