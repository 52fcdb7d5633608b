package sip

import (
	gosip "github.com/emiago/sipgo/sip"
)

// onReInvite handles an INVITE inside a dialog (RFC 3261 section 14.2): a new offer (hold,
// unhold, new address) is answered at once; an offer-less one gets our offer in the 200 and
// the answer in the ACK.
func (u *UA) onReInvite(req *gosip.Request, tx gosip.ServerTransaction) {
	c := u.inDialog(req, tx)
	if c == nil {
		return
	}
	u.modifySession(c, req, tx, true)
}

func (u *UA) onUpdate(req *gosip.Request, tx gosip.ServerTransaction) {
	c := u.inDialog(req, tx)
	if c == nil {
		return
	}
	u.modifySession(c, req, tx, false)
}

func (u *UA) modifySession(c *Call, req *gosip.Request, tx gosip.ServerTransaction, invite bool) {
	c.mu.Lock()
	st := c.state
	c.mu.Unlock()
	if st == stateEnded {
		u.respond(tx, req, 481, "Call/Transaction Does Not Exist", nil)
		return
	}
	if invite && st != stateConfirmed {
		// RFC 3261 section 14.2: a re-INVITE while ours or theirs is pending.
		u.respond(tx, req, 491, "Request Pending", nil)
		return
	}
	if ct := req.Contact(); ct != nil {
		c.mu.Lock()
		c.remoteTarget = ct.Address
		c.mu.Unlock()
	}
	c.notePeerAllow(req.GetHeaders("Allow"))
	body := req.Body()
	c.mu.Lock()
	if invite || len(body) > 0 {
		c.sdpVer++
	}
	var sdpBody []byte
	changed := false
	if len(body) > 0 {
		rm, err := parseSDP(body)
		var n Negotiated
		if err == nil {
			n, err = negotiate(c.local, rm, false, c.direction)
		}
		if err != nil {
			c.mu.Unlock()
			// The session continues unchanged (RFC 3261 section 14.2).
			u.respond(tx, req, 488, "Not Acceptable Here", nil)
			return
		}
		changed = n != c.neg
		c.neg = n
		sdpBody = buildSDP(answerOffer(c.local, n), c.sessID, c.sdpVer, n.Direction)
	} else if invite {
		sdpBody = buildSDP(c.local, c.sessID, c.sdpVer, c.direction)
	}
	// An UPDATE without an offer (a session refresh) gets a 200 without SDP: RFC 3311
	// section 5.2 allows only an answer there, and there is nothing to answer.
	c.mu.Unlock()
	res := gosip.NewResponseFromRequest(req, 200, "OK", sdpBody)
	if sdpBody != nil {
		res.AppendHeader(gosip.NewHeader("Content-Type", "application/sdp"))
	}
	res.AppendHeader(c.contact(req.Source()))
	if invite {
		c.send2xx(tx, req.CSeq().SeqNo, res)
	} else if err := tx.Respond(res); err != nil {
		u.log.Debug("sip: respond to UPDATE", "call", c.id, "err", err)
	}
	c.noteRefresh()
	if changed {
		u.emit(Event{Kind: MediaUpdate, Call: c})
	}
}

// Hold puts the far end on hold with a re-INVITE offering a=sendonly (RFC 3264 section 8.4).
// Hold and unhold stay re-INVITEs even when the peer takes UPDATE: RFC 3311 section 5.1
// recommends re-INVITE for changes in a confirmed dialog (an UPDATE must be answered at once,
// leaving the peer no room to ask its user or re-route media), and every PBX takes a
// re-INVITE hold while UPDATE support varies. A 491 (the peer's re-INVITE crossed ours) is
// retried after the RFC 3261 section 14.1 wait, so Hold may take a few seconds: callers keep
// it off any loop that must stay responsive.
func (c *Call) Hold() error { return c.reofferGlare("sendonly") }

// Unhold resumes a held call with a re-INVITE offering a=sendrecv, retried after 491 as Hold.
func (c *Call) Unhold() error { return c.reofferGlare("sendrecv") }

// reofferGlare is reoffer, retried after a 491 (at most refreshAttempts tries in all).
func (c *Call) reofferGlare(dir string) error {
	var err error
	for attempt := 0; attempt < refreshAttempts; attempt++ {
		var res *gosip.Response
		res, err = c.reofferResponse(dir)
		if err == nil || res == nil || res.StatusCode != 491 || !c.waitGlare() {
			return err
		}
	}
	return err
}

// reoffer sends a re-INVITE with our current media and direction dir ("" keeps it: a
// session refresh).
func (c *Call) reoffer(dir string) error {
	_, err := c.reofferResponse(dir)
	return err
}

// reofferResponse is reoffer, also returning the final response (nil without one).
func (c *Call) reofferResponse(dir string) (*gosip.Response, error) {
	c.mu.Lock()
	if c.state != stateConfirmed {
		c.mu.Unlock()
		return nil, ErrCallState
	}
	if dir == "" {
		dir = c.direction
	}
	c.direction = dir
	c.sdpVer++
	body := buildSDP(c.local, c.sessID, c.sdpVer, dir)
	c.mu.Unlock()
	req := c.newInDialog(gosip.INVITE)
	c.mu.Lock()
	se, refresher := c.session, c.refresher
	c.mu.Unlock()
	if se > 0 {
		// RFC 4028 section 7.4: a refresh restates the interval and who refreshes.
		req.AppendHeader(gosip.NewHeader("Supported", "timer"))
		req.AppendHeader(gosip.NewHeader("Session-Expires", seconds(se)+";refresher="+refresher))
	}
	req.AppendHeader(gosip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(body)
	res, err := c.doInDialog(req)
	if res != nil && res.IsSuccess() {
		ack := c.newInDialogAck(req.CSeq().SeqNo)
		_ = c.ua.cli.WriteRequest(ack, prebuilt)
	}
	if err != nil {
		return res, err
	}
	c.notePeerAllow(res.GetHeaders("Allow"))
	old := c.Negotiated()
	n, err := c.applyAnswer(res.Body())
	if err != nil {
		return res, err
	}
	c.noteRefresh()
	if n != old {
		c.ua.emit(Event{Kind: MediaUpdate, Call: c})
	}
	return res, nil
}

// newInDialogAck is the ACK for a 2xx to our INVITE or re-INVITE with CSeq number seq.
func (c *Call) newInDialogAck(seq uint32) *gosip.Request {
	c.mu.Lock()
	saved := c.localCSeq
	c.localCSeq = seq
	c.mu.Unlock()
	ack := c.newInDialog(gosip.ACK)
	c.mu.Lock()
	c.localCSeq = saved
	c.mu.Unlock()
	return ack
}
