package door

// onMessageWaiting records whether a voicemail box has messages; an LED with show = "mwi"
// blinks slowly while any has.
func (c *Controller) onMessageWaiting(ev PhoneEvent) {
	was := c.mwi[ev.Account]
	if ev.Waiting {
		c.mwi[ev.Account] = true
	} else {
		delete(c.mwi, ev.Account)
	}
	if was != ev.Waiting {
		c.events.Add(EventMessageWaiting, "box", ev.Account, "waiting", ev.Waiting)
	}
}
