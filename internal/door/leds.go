package door

import "sort"

// updateLEDs sets each [[led]] to what its `show` means in the current state, calling the
// board only on change.
func (c *Controller) updateLEDs() {
	for _, l := range c.cfg.LEDs {
		want := Off
		if c.shows(l.Show) {
			want = DefaultLEDPattern(l.Show)
			if p, ok := ParseLEDPattern(l.Pattern); ok {
				want = p
			}
		}
		if got, ok := c.leds[l.Name]; ok && got == want {
			continue
		}
		// Remembered only once set, so a failed write is retried on the next event.
		if c.setLED(l.Name, want) {
			c.leds[l.Name] = want
		}
	}
}

// DefaultLEDPattern is what an LED does while its show holds, unless [[led]] pattern says
// otherwise: steady for registered, in-call and door-open, fast-blink while a call rings,
// slow-blink for a registration error and waiting messages.
func DefaultLEDPattern(show LEDShow) LEDPattern {
	switch show {
	case ShowRinging:
		return FastBlink
	case ShowError, ShowMWI:
		return SlowBlink
	}
	return On
}

// shows reports whether show holds in the current state.
func (c *Controller) shows(show LEDShow) bool {
	switch show {
	case ShowRegistered:
		return c.registered()
	case ShowRinging:
		return c.state == Dialing || c.state == RingingOut || c.state == RingingIn
	case ShowInCall:
		return c.state == InCall
	case ShowDoorOpen:
		return c.doorOpen
	case ShowError:
		return c.regError
	case ShowMWI:
		return len(c.mwi) > 0
	}
	return false
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
