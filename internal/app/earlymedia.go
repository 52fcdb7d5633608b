package app

// earlyDirection is the direction of early media: the visitor hears the far end's ringback
// or announcement, and the microphone stays off the line until someone answers.
func earlyDirection(negotiated string) string {
	switch negotiated {
	case "sendonly", "inactive":
		return "inactive"
	}
	return "recvonly"
}

// earlyMedia plays a 183's media. Only one call at a time: in a parallel ring group the
// first leg with early media has the speaker, the others ring silently.
func (p *phone) earlyMedia(c *call) {
	for _, o := range p.snapshot() {
		if o != c && o.hasSession() {
			return
		}
	}
	if c.hasSession() {
		c.updateEarly()
		return
	}
	if err := c.startSession(true); err != nil {
		p.log.Warn("phone: early media did not start", "call", c.ID(), "err", err)
	}
}

// answered moves a call from early to final media: the same session goes on with the
// 200's address and direction when the codec is the one the 183 agreed, otherwise it
// restarts with the new one. Other legs' early media stop first: the answered call needs
// the speaker.
func (p *phone) answered(c *call) error {
	for _, o := range p.snapshot() {
		if o != c && o.isEarly() {
			o.stopSession()
		}
	}
	c.mu.Lock()
	s, early, sc, codec := c.sess, c.early, c.sc, c.codec
	c.early = false
	c.mu.Unlock()
	if s != nil && early {
		if n := sc.Negotiated(); n.Codec == codec {
			// Through inactive, so the RTP timeout counts from the answer: a PBX may ring
			// longer than rtp_timeout with early media that carries no packets.
			s.SetDirection("inactive")
			c.updateMedia()
			return nil
		}
		c.stopSession()
	}
	return c.startMedia()
}

func (c *call) hasSession() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sess != nil
}

func (c *call) isEarly() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sess != nil && c.early
}

// updateEarly follows a later 183's answer (a new media server) without sending.
func (c *call) updateEarly() {
	c.mu.Lock()
	s, sc := c.sess, c.sc
	c.mu.Unlock()
	if s == nil {
		return
	}
	n := sc.Negotiated()
	s.SetRemote(n.Remote)
	s.SetDirection(earlyDirection(n.Direction))
}
