package door

import (
	"time"
)

// SIP status codes the controller answers with (RFC 3261 section 21).
const (
	codeForbidden   = 403 // caller not in call.allow_from
	codeBusy        = 486 // already in a call
	codeDecline     = 603 // call.incoming = reject, or the hangup button while ringing
	codeUnavailable = 480 // nobody answered within call.ring_timeout
)

// ringGroup is an outgoing call to one or more targets until one answers.
type ringGroup struct {
	targets  []string
	parallel bool
	timeout  time.Duration
	next     int                  // serial: index of the next target to dial
	legs     map[string]PhoneCall // by Call.ID; serial has at most one
	order    []string             // leg IDs in dial order, for a stable status
	by       string               // what started it (button name or "control")
}

func (g *ringGroup) add(call PhoneCall) {
	g.legs[call.ID()] = call
	g.order = append(g.order, call.ID())
}

func (g *ringGroup) remove(id string) {
	delete(g.legs, id)
	for i, o := range g.order {
		if o == id {
			g.order = append(g.order[:i], g.order[i+1:]...)
			break
		}
	}
}

// startGroup rings targets serially (ring_timeout each, the next on timeout, busy or
// decline) or in parallel (all at once, first answer wins, ring_timeout overall).
func (c *Controller) startGroup(targets []string, mode string, timeout time.Duration, by string) {
	g := &ringGroup{
		targets:  append([]string(nil), targets...),
		parallel: mode == "parallel",
		timeout:  timeout,
		legs:     map[string]PhoneCall{},
		by:       by,
	}
	c.group = g
	c.state = Dialing
	c.events.Add(EventRingGroup, "by", by, "targets", g.targets, "mode", mode)
	if !g.parallel {
		c.dialNext()
		return
	}
	for _, t := range g.targets {
		c.dial(t)
	}
	if len(g.legs) == 0 {
		c.endGroup("all targets failed")
		return
	}
	c.ringT.arm(c.clk, g.timeout)
}

// dial starts one leg; a target that fails at once is logged and skipped.
func (c *Controller) dial(target string) bool {
	call, err := c.phone.Dial(c.ctx, target)
	if err != nil {
		c.events.Add(EventCallFailed, "target", target, "err", err)
		return false
	}
	c.group.add(call)
	c.events.Add(EventCalling, "target", target, "call", call.ID())
	return true
}

// dialNext moves a serial group to its next target, or ends it when none is left.
func (c *Controller) dialNext() {
	g := c.group
	for g.next < len(g.targets) {
		t := g.targets[g.next]
		g.next++
		if c.dial(t) {
			c.state = Dialing
			c.ringT.arm(c.clk, g.timeout)
			return
		}
	}
	c.endGroup("no answer")
}

// endGroup gives up: every leg still ringing is cancelled.
func (c *Controller) endGroup(reason string) {
	g := c.group
	for _, id := range g.order {
		c.hangupLeg(g.legs[id], reason)
	}
	c.group = nil
	c.ringT.stop()
	c.state = Idle
	c.events.Add(EventNoAnswer, "targets", g.targets, "reason", reason)
}

func (c *Controller) hangupLeg(call PhoneCall, reason string) {
	if err := call.Hangup(); err != nil {
		c.logger.Warn("door: cancel leg", "call", call.ID(), "err", err)
	}
	c.events.Add(EventCancelled, "target", call.Remote(), "call", call.ID(), "reason", reason)
}

func (c *Controller) onRingTimeout() {
	g := c.group
	if g == nil {
		c.onIncomingTimeout()
		return
	}
	if g.parallel {
		c.endGroup("ring timeout")
		return
	}
	for _, id := range append([]string(nil), g.order...) {
		c.hangupLeg(g.legs[id], "ring timeout")
		g.remove(id)
	}
	c.dialNext()
}

// onIncomingTimeout gives up on an incoming call nobody answered: 480 Temporarily
// Unavailable lets a PBX try its next destination. The timer may be stale (the call was
// answered, declined or cancelled since), hence the check that it is still the same call.
func (c *Controller) onIncomingTimeout() {
	call, auto := c.ringIn, c.autoIn
	c.ringIn, c.autoIn = nil, false
	if c.state != RingingIn || call == nil || !c.isActive(call) {
		return
	}
	if auto {
		c.answer(call)
		return
	}
	if err := call.Reject(codeUnavailable); err != nil {
		c.logger.Warn("door: reject after ring timeout", "from", call.Remote(), "err", err)
	}
	c.events.Add(EventNoAnswer, "from", call.Remote(), "call", call.ID(), "reason", "ring timeout")
	c.call = nil
	c.state = Idle
}

// leg returns the ring group's leg for call, or nil.
func (c *Controller) leg(call PhoneCall) PhoneCall {
	if c.group == nil || call == nil {
		return nil
	}
	return c.group.legs[call.ID()]
}

func (c *Controller) isActive(call PhoneCall) bool {
	return c.call != nil && call != nil && c.call.ID() == call.ID()
}

func (c *Controller) onPhone(ev PhoneEvent) {
	switch ev.Kind {
	case Incoming:
		c.onIncoming(ev.Call)
	case Ringing:
		if l := c.leg(ev.Call); l != nil {
			if c.state == Dialing {
				c.state = RingingOut
			}
			c.events.Add(EventRinging, "target", l.Remote(), "call", l.ID())
		}
	case Answered:
		if l := c.leg(ev.Call); l != nil {
			c.onLegAnswered(l)
		}
	case Ended:
		c.onEnded(ev)
	case DTMF:
		if c.isActive(ev.Call) && c.state == InCall {
			c.onDigit(ev.Digit)
		}
	case MediaTimeout:
		if c.isActive(ev.Call) && c.state == InCall {
			c.events.Add(EventMediaTimeout, "peer", c.call.Remote())
			c.hangupActive("media timeout")
		}
	case Registration:
		c.onRegistration(ev)
	case MessageWaiting:
		c.onMessageWaiting(ev)
	case Transferred:
		if c.isActive(ev.Call) {
			c.onTransferred()
		}
	case TransferResult:
		c.onTransferResult(ev)
	default:
		c.logger.Warn("door: unknown phone event", "kind", int(ev.Kind))
	}
}

// onLegAnswered: first answer wins, every other leg is cancelled.
func (c *Controller) onLegAnswered(call PhoneCall) {
	g := c.group
	g.remove(call.ID())
	for _, id := range g.order {
		c.hangupLeg(g.legs[id], "answered elsewhere")
	}
	c.group = nil
	c.ringT.stop()
	c.startCall(call)
}

func (c *Controller) onIncoming(call PhoneCall) {
	if call == nil {
		return
	}
	from := call.Remote()
	reject := func(code int, reason string) {
		if err := call.Reject(code); err != nil {
			c.logger.Warn("door: reject", "from", from, "err", err)
		}
		// Folded per caller and minute: a flood of refused INVITEs must not push the door's
		// history out of the log.
		c.events.AddFrom(EventIncomingRejected, from, "from", from, "code", code, "reason", reason)
	}
	switch {
	case c.state != Idle:
		reject(codeBusy, "busy")
		return
	case !uriAllowed(from, c.cfg.Call.AllowFrom):
		reject(codeForbidden, "not in call.allow_from")
		return
	case c.cfg.Call.Incoming == "reject":
		reject(codeDecline, "call.incoming is reject")
		return
	}
	after, auto := c.autoAnswer(call)
	if auto {
		c.events.Add(EventIncoming, "from", from, "call", call.ID(), "auto_answer", after)
	} else {
		c.events.Add(EventIncoming, "from", from, "call", call.ID())
	}
	c.autoIn = false
	if c.cfg.Call.Incoming == "auto" || (auto && after == 0) {
		c.answer(call)
		return
	}
	if err := call.Ring(); err != nil {
		c.logger.Warn("door: ring", "from", from, "err", err)
	}
	c.call = call
	c.state = RingingIn
	switch d := c.cfg.Call.RingTimeout; {
	case auto:
		// The ring timer answers instead of giving up.
		c.ringIn, c.autoIn = call, true
		c.ringT.arm(c.clk, after)
	case d > 0:
		c.ringIn = call
		c.ringT.arm(c.clk, d)
	}
}

func (c *Controller) answer(call PhoneCall) {
	if err := call.Answer(); err != nil {
		c.events.Add(EventAnswerFailed, "from", call.Remote(), "err", err)
		c.call = nil
		c.state = Idle
		return
	}
	c.startCall(call)
}

// startCall enters InCall with call, starting the max-duration limits.
func (c *Controller) startCall(call PhoneCall) {
	c.call = call
	c.state = InCall
	c.held = false
	c.since = c.clk.Now()
	c.code = codeState{}
	c.armLimits()
	dir := "outgoing"
	if call.Incoming() {
		dir = "incoming"
	}
	c.events.Add(EventAnswered, "peer", call.Remote(), "direction", dir, "call", call.ID())
}

// armLimits (re)arms the warning tone and the hangup at call.max_duration from the answer.
func (c *Controller) armLimits() {
	c.warnT.stop()
	c.endT.stop()
	limit := c.cfg.Call.MaxDuration
	if limit <= 0 {
		return
	}
	elapsed := c.clk.Since(c.since)
	if w := c.cfg.Call.WarnBefore; w > 0 && w < limit && limit-w > elapsed {
		c.warnT.arm(c.clk, limit-w-elapsed)
	}
	// A reload that shortens the limit below the call's age ends the call at once.
	c.endT.arm(c.clk, max(limit-elapsed, 0))
}

func (c *Controller) onWarn() {
	if c.state != InCall {
		return
	}
	if err := c.call.PlayTone("warning"); err != nil {
		c.logger.Warn("door: warning tone", "err", err)
	}
	c.events.Add(EventMaxDurationWarning, "peer", c.call.Remote(), "left", c.cfg.Call.WarnBefore)
}

func (c *Controller) onMaxDuration() {
	if c.state != InCall {
		return
	}
	c.events.Add(EventMaxDuration, "peer", c.call.Remote(), "limit", c.cfg.Call.MaxDuration)
	c.hangupActive("max duration")
}

// onTransferred: the call in progress now carries another party. Digits the previous party
// typed must not complete a code for the new one, and the new party's own refusal deserves
// its log line; a call locked by max_attempts stays locked, or a transfer would reset it.
func (c *Controller) onTransferred() {
	c.code.buf = c.code.buf[:0]
	c.code.refused = false
	c.events.Add(EventTransferred, "peer", c.call.Remote(), "call", c.call.ID())
}

func (c *Controller) onEnded(ev PhoneEvent) {
	if l := c.leg(ev.Call); l != nil {
		c.group.remove(l.ID())
		c.events.Add(EventCallFailed, "target", l.Remote(), "code", ev.Code, "reason", ev.Reason)
		if len(c.group.legs) > 0 {
			return
		}
		if c.group.parallel {
			c.endGroup("no answer")
			return
		}
		c.ringT.stop()
		c.dialNext()
		return
	}
	if !c.isActive(ev.Call) {
		return // a leg we already cancelled, or a call we hung up
	}
	if c.state == RingingIn {
		c.events.Add(EventIncomingCancelled, "from", c.call.Remote(), "code", ev.Code, "reason", ev.Reason)
		c.call = nil
		c.state = Idle
		return
	}
	c.endCall("remote", ev.Reason)
}

// hangupActive ends the call in progress from our side.
func (c *Controller) hangupActive(reason string) {
	if err := c.call.Hangup(); err != nil {
		c.logger.Warn("door: hangup", "err", err)
	}
	c.endCall("local", reason)
}

func (c *Controller) endCall(by, reason string) {
	c.warnT.stop()
	c.endT.stop()
	c.events.Add(EventCallEnded, "peer", c.call.Remote(), "by", by, "reason", reason,
		"duration", c.clk.Since(c.since).Round(time.Millisecond))
	c.call = nil
	c.code = codeState{}
	c.held = false
	c.state = Idle
}

// hangupAll ends whatever is in progress: cancels a ring group, declines a ringing call,
// hangs up a call.
func (c *Controller) hangupAll(reason string) bool {
	switch c.state {
	case Dialing, RingingOut:
		c.endGroup(reason)
	case RingingIn:
		if err := c.call.Reject(codeDecline); err != nil {
			c.logger.Warn("door: decline", "err", err)
		}
		c.events.Add(EventIncomingRejected, "from", c.call.Remote(), "code", codeDecline, "reason", reason)
		c.call = nil
		c.state = Idle
	case InCall:
		c.hangupActive(reason)
	default:
		return false
	}
	return true
}
