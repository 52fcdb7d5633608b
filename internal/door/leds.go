package door

import "sort"

// updateLEDs sets each [[led]] to what its `show` means in the current state, calling the
// board only on change.
func (c *Controller) updateLEDs() {
	for _, l := range c.cfg.LEDs {
		want := c.ledPattern(l.Show)
		if got, ok := c.leds[l.Name]; ok && got == want {
			continue
		}
		// Remembered only once set, so a failed write is retried on the next event.
		if c.setLED(l.Name, want) {
			c.leds[l.Name] = want
		}
	}
}

func (c *Controller) ledPattern(show string) LEDPattern {
	switch show {
	case "registered":
		if c.registered() {
			return On
		}
	case "ringing":
		if c.state == Dialing || c.state == RingingOut || c.state == RingingIn {
			return FastBlink
		}
	case "in-call":
		if c.state == InCall {
			return On
		}
	case "door-open":
		if c.doorOpen {
			return On
		}
	case "error":
		if c.regError {
			return SlowBlink
		}
	case "mwi":
		if len(c.mwi) > 0 {
			return SlowBlink
		}
	}
	return Off
}

func (c *Controller) setLED(name string, p LEDPattern) bool {
	if err := c.board.SetLED(name, p); err != nil {
		c.logger.Warn("door: set LED", "led", name, "pattern", p.String(), "err", err)
		return false
	}
	return true
}

// registered is true when at least one account reported and every account is registered.
func (c *Controller) registered() bool {
	if len(c.regs) == 0 {
		return false
	}
	for _, a := range c.regs {
		if !a.Registered {
			return false
		}
	}
	return true
}

func (c *Controller) onRegistration(ev PhoneEvent) {
	prev, seen := c.regs[ev.Account]
	now := AccountStatus{Account: ev.Account, Registered: ev.Registered, Reason: ev.Reason}
	c.regs[ev.Account] = now
	// An unregistration without a cause (our own Expires: 0) is not a failure.
	failed := false
	for _, a := range c.regs {
		if !a.Registered && a.Reason != "" {
			failed = true
		}
	}
	c.regError = failed
	if !seen || prev != now {
		c.events.Add(EventRegistration, "account", ev.Account, "registered", ev.Registered, "code", ev.Code, "reason", ev.Reason)
	}
}

func sortAccounts(a []AccountStatus) {
	sort.Slice(a, func(i, j int) bool { return a[i].Account < a[j].Account })
}
