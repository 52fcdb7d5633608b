package door

import "time"

// codeState is the DTMF door code state of one call.
type codeState struct {
	buf      []byte // the last len(code) digits
	attempts int    // wrong codes so far in this call
	locked   bool   // max_attempts reached: digits are ignored until the call ends
	refused  bool   // a door-code-refused entry was written for this call
}

func (c *Controller) onLockoutOver() {
	c.lockedUntil = time.Time{}
	c.events.Add("door-code-unlocked")
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
	if c.lockedUntil.After(c.clk.Now()) {
		if !c.code.refused {
			c.code.refused = true
			c.events.Add("door-code-refused", "from", from, "until", c.lockedUntil.UTC().Format(time.RFC3339))
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
		c.openDoor(from, "dtmf")
		return
	}
	c.code.attempts++
	c.events.Add("door-code-wrong", "from", from, "attempt", c.code.attempts)
	if c.code.attempts >= c.cfg.Door.MaxAttempts {
		c.code.locked = true
		if d := c.cfg.Door.LockoutFor; d > 0 {
			c.lockedUntil = c.clk.Now().Add(d)
			c.lockT.arm(c.clk, d)
		}
		c.events.Add("door-code-lockout", "from", from, "attempts", c.code.attempts, "for", c.cfg.Door.LockoutFor)
	}
}

// openDoor pulses the relay for door.open_for. The board times the pulse; the controller's
// own timer only tracks it for the door-open LED and the status.
func (c *Controller) openDoor(by, via string) error {
	if !c.cfg.Door.HasRelay {
		return ErrNoRelay
	}
	if err := c.board.Pulse(RelayDoor, c.cfg.Door.OpenFor); err != nil {
		c.events.Add("door-error", "by", by, "via", via, "err", err)
		return err
	}
	c.doorOpen = true
	c.doorT.arm(c.clk, c.cfg.Door.OpenFor)
	c.events.Add("door-open", "by", by, "via", via, "for", c.cfg.Door.OpenFor)
	return nil
}

func (c *Controller) onDoorClosed() {
	c.doorOpen = false
	c.events.Add("door-released")
}

// sendCode is the indoor unit's open button: the far end (the door station) opens when it
// hears its code.
func (c *Controller) sendCode() error {
	for _, d := range c.cfg.Door.DTMFCode {
		if err := c.call.SendDTMF(d); err != nil {
			c.events.Add("door-code-send-failed", "to", c.call.Remote(), "err", err)
			return err
		}
	}
	c.events.Add("door-code-sent", "to", c.call.Remote())
	return nil
}
