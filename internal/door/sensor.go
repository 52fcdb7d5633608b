package door

// The door sensor and tamper inputs raise alarms in the event log; they never drive the relay.

func (c *Controller) onSensor(k InputKind) {
	switch k {
	case Press: // the door opened
		if c.doorAjar {
			return
		}
		c.doorAjar = true
		if c.doorOpen {
			c.events.Add(EventDoorOpened)
		} else {
			// Nothing released the lock: someone forced the door or the strike is faulty.
			c.alarm = "door-forced"
			c.events.Add(EventDoorForced)
		}
		if d := c.cfg.Door.HeldOpen; d > 0 {
			c.heldT.arm(c.clk, d)
		}
	case Release:
		if !c.doorAjar {
			return
		}
		c.doorAjar = false
		c.heldT.stop()
		if c.alarm == "door-forced" || c.alarm == "door-held-open" {
			c.alarm = ""
		}
		c.events.Add(EventDoorClosed)
	}
}

func (c *Controller) onHeldOpen() {
	if !c.doorAjar {
		return
	}
	c.alarm = "door-held-open"
	c.events.Add(EventDoorHeldOpen, "for", c.cfg.Door.HeldOpen)
}

func (c *Controller) onTamper(k InputKind) {
	switch k {
	case Press:
		c.alarm = "tamper"
		c.events.Add(EventTamper)
	case Release:
		if c.alarm == "tamper" {
			c.alarm = ""
		}
		c.events.Add(EventTamperCleared)
	}
}
