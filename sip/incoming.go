package sip

import (
	"fmt"

	gosip "github.com/emiago/sipgo/sip"
)

// onInvite handles a new INVITE: 100 Trying, IncomingCall, then it waits (keeping sipgo's
// server transaction alive, which its handler contract requires) until the controller's
// Answer or Reject sent the final response, the caller cancelled, or the UA stopped.
func (u *UA) onInvite(req *gosip.Request, tx gosip.ServerTransaction) {
	if tag, ok := req.To().Params.Get("tag"); ok && tag != "" {
		u.onReInvite(req, tx)
		return
	}
	if req.Contact() == nil || req.From() == nil || req.CallID() == nil {
		u.respond(tx, req, 400, "Missing Contact, From or Call-ID", nil)
		return
	}
	fromTag, _ := req.From().Params.Get("tag")
	if u.isClosing() {
		u.respond(tx, req, 503, "Service Unavailable", nil)
		return
	}
	callID := req.CallID().Value()
	if u.lookup(callID) != nil {
		u.respond(tx, req, 482, "Loop Detected", nil)
		return
	}
	u.respond(tx, req, 100, "Trying", nil)

	c := &Call{
		ua:           u,
		id:           callID,
		incoming:     true,
		state:        stateEarly,
		direction:    "sendrecv",
		sessID:       randUint64(),
		localURI:     req.To().Address,
		remoteURI:    req.From().Address,
		localTag:     gosip.GenerateTagN(16),
		remoteTag:    fromTag,
		remoteTarget: req.Contact().Address,
		localCSeq:    randCSeq(),
		remoteCSeq:   req.CSeq().SeqNo,
		transport:    req.Transport(),
		user:         req.Recipient.User,
		inviteSrv:    req,
		inviteSrvTx:  tx,
		peerUpdate:   allowsUpdate(req.GetHeaders("Allow")),
		origin:       u.originOf(req),
		public:       u.publicForIncoming(req.Source()),
		finalSent:    make(chan struct{}),
		over:         make(chan struct{}),
	}
	se, refresher, minSE, seErr := u.sessionForRequest(req)
	if seErr != nil {
		u.respond(tx, req, 422, "Session Interval Too Small", nil, minSE)
		return
	}
	c.session, c.refresher = se, refresher
	for _, h := range req.GetHeaders("Record-Route") {
		c.routeSet = append(c.routeSet, h.Value())
	}
	cancelled := make(chan struct{}, 1)
	tx.OnCancel(func(*gosip.Request) {
		select {
		case cancelled <- struct{}{}:
		default:
		}
	})
	u.mu.Lock()
	if u.closed {
		u.mu.Unlock()
		u.respond(tx, req, 503, "Service Unavailable", nil)
		return
	}
	u.calls[callID] = c
	u.mu.Unlock()
	// Debug until the controller takes the call (Ring/Answer log at info): most INVITEs a
	// door sees from strangers are refused, and each must not cost an info line.
	u.log.Debug("sip: incoming call", "call", callID, "from", c.Remote())
	if !u.emit(Event{Kind: IncomingCall, Call: c}) {
		// Nobody will decide on this call: refuse it rather than let it ring forever.
		c.Reject(503)
	}

	select {
	case <-c.finalSent:
	case <-cancelled:
		c.mu.Lock()
		pending := c.state == stateEarly
		c.state = stateEnded
		c.mu.Unlock()
		if pending {
			c.end(487, "cancelled by caller")
		}
	case <-tx.Done():
		// CANCEL (sipgo answered 200 and 487) or a transport failure.
		c.mu.Lock()
		pending := c.state == stateEarly
		c.mu.Unlock()
		if pending {
			c.end(487, "cancelled by caller")
		}
	}
}

// Ring sends 180 Ringing on an incoming call. The UA never rings by itself: the controller
// decides (allow lists first), so a refused caller never hears ringing.
func (c *Call) Ring() {
	c.mu.Lock()
	ok := c.incoming && c.state == stateEarly
	c.mu.Unlock()
	if !ok {
		return
	}
	c.ua.log.Info("sip: incoming call ringing", "call", c.id, "from", c.Remote())
	c.ua.respondInvite(c, 180, "Ringing", nil)
}

// respondInvite sends a response to the incoming INVITE with our To tag and Contact.
func (u *UA) respondInvite(c *Call, code int, reason string, body []byte, hdrs ...gosip.Header) {
	res := u.inviteResponse(c, code, reason, body, hdrs...)
	if err := c.inviteSrvTx.Respond(res); err != nil {
		u.log.Debug("sip: respond to INVITE", "call", c.id, "code", code, "err", err)
	}
}

// inviteResponse builds a response to the incoming INVITE with our To tag and Contact.
func (u *UA) inviteResponse(c *Call, code int, reason string, body []byte, hdrs ...gosip.Header) *gosip.Response {
	req := c.inviteSrv
	res := gosip.NewResponseFromRequest(req, code, reason, body)
	if to := res.To(); to != nil {
		to.Params.Remove("tag")
		to.Params.Add("tag", c.localTag)
	}
	if code < 300 {
		res.AppendHeader(c.contact(req.Source()))
	}
	if body != nil {
		res.AppendHeader(gosip.NewHeader("Content-Type", "application/sdp"))
	}
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	if u.cfg.UserAgent != "" {
		res.AppendHeader(gosip.NewHeader("Server", u.cfg.UserAgent))
	}
	return res
}

// Answer accepts an incoming call with a 200 OK carrying our SDP answer (RFC 3264: the
// first codec of ours the offer has, with the offer's payload type). With no common codec it
// sends 488 and returns ErrNoCodec. Answered follows when the ACK arrives.
func (c *Call) Answer(offer MediaOffer) error {
	u := c.ua
	c.mu.Lock()
	if !c.incoming || c.state != stateEarly {
		c.mu.Unlock()
		return fmt.Errorf("%w: answer", ErrCallState)
	}
	body := c.inviteSrv.Body()
	c.mu.Unlock()
	var sdpBody []byte
	c.mu.Lock()
	offer = publicOffer(offer, u.localIP(c.inviteSrv.Source()), c.public)
	c.local = offer
	c.sdpVer = 1
	if len(body) > 0 {
		rm, err := parseSDP(body)
		var n Negotiated
		if err == nil {
			n, err = negotiate(offer, rm, false, c.direction)
		}
		if err != nil {
			c.state = stateEnded
			c.refused = true
			c.mu.Unlock()
			code, reason := 488, "Not Acceptable Here"
			u.respondInvite(c, code, reason, nil, gosip.NewHeader("Accept", "application/sdp"))
			close(c.finalSent)
			c.end(code, reason)
			return fmt.Errorf("sip: answer: %w", err)
		}
		c.neg = n
		sdpBody = buildSDP(answerOffer(offer, n), c.sessID, c.sdpVer, n.Direction)
	} else {
		// Offer-less INVITE: our offer goes in the 200, the answer comes in the ACK.
		sdpBody = buildSDP(offer, c.sessID, c.sdpVer, c.direction)
		c.lateOffer = true
	}
	c.state = stateAnswering
	se, refresher := c.session, c.refresher
	c.mu.Unlock()
	hdrs := []gosip.Header{gosip.NewHeader("Allow", allowMethods), gosip.NewHeader("Supported", "timer")}
	if se > 0 {
		hdrs = append(hdrs, gosip.NewHeader("Session-Expires", seconds(se)+";refresher="+refresher))
		if supportsTimer(c.inviteSrv) {
			hdrs = append(hdrs, gosip.NewHeader("Require", "timer"))
		}
	}
	pinhole(offer, body)
	res := u.inviteResponse(c, 200, "OK", sdpBody, hdrs...)
	c.send2xx(c.inviteSrvTx, c.inviteSrv.CSeq().SeqNo, res)
	c.startSessionTimer(se, refresher == "uas")
	close(c.finalSent)
	return nil
}

// Reject refuses an incoming call not yet answered with code (486 busy, 603 decline, 403
// not allowed, ...), or ends any other call as Hangup does.
func (c *Call) Reject(code int) {
	c.mu.Lock()
	pending := c.incoming && c.state == stateEarly
	if pending {
		c.state = stateEnded
		c.refused = true
	}
	c.mu.Unlock()
	if !pending {
		c.Hangup()
		return
	}
	if code < 300 || code > 699 {
		code = 603
	}
	reason := reasonPhrase(code)
	c.ua.respondInvite(c, code, reason, nil)
	close(c.finalSent)
	c.end(code, "rejected locally")
}
