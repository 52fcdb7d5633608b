package sip

import (
	"strings"
	"time"

	gosip "github.com/emiago/sipgo/sip"
)

// refreshAttempts bounds the tries of one session refresh: 491 (glare) is retried after the
// RFC 3261 section 14.1 wait, and an UPDATE the peer turns out not to take (405/501 despite
// its Allow) falls back to re-INVITE.
const refreshAttempts = 3

// allowsUpdate reports whether Allow headers list UPDATE (RFC 3311 section 5.1: the peer's
// Allow is how we learn it takes one).
func allowsUpdate(hs []gosip.Header) bool {
	for _, h := range hs {
		for _, m := range strings.Split(h.Value(), ",") {
			if strings.EqualFold(strings.TrimSpace(m), "UPDATE") {
				return true
			}
		}
	}
	return false
}

// notePeerAllow records from a request or response of the peer's whether it takes UPDATE; a
// message without Allow leaves what we knew.
func (c *Call) notePeerAllow(hs []gosip.Header) {
	if len(hs) == 0 {
		return
	}
	ok := allowsUpdate(hs)
	c.mu.Lock()
	c.peerUpdate = ok
	c.mu.Unlock()
}

// refreshSession refreshes the session (RFC 4028 section 9): by UPDATE without SDP when the
// peer's Allow lists UPDATE (no offer/answer to redo, nothing the peer's user sees), else by
// re-INVITE with our unchanged offer. A 491 is retried after the wait RFC 3261 section 14.1
// gives (2.1-4 s when we own the Call-ID, else up to 2 s) on the injected clock; a 405 or 501
// to UPDATE switches this call to re-INVITE. Any other failure, no answer included, is
// returned: the caller then ends the call (RFC 4028 section 10).
func (c *Call) refreshSession() error {
	var err error
	for attempt := 0; attempt < refreshAttempts; attempt++ {
		c.mu.Lock()
		byUpdate := c.peerUpdate
		c.mu.Unlock()
		var res *gosip.Response
		if byUpdate {
			res, err = c.sendRefreshUpdate()
		} else {
			res, err = c.reofferResponse("")
		}
		if err == nil || res == nil {
			return err
		}
		switch code := res.StatusCode; {
		case code == 491:
			if !c.waitGlare() {
				return err
			}
		case byUpdate && (code == 405 || code == 501):
			c.ua.log.Info("sip: peer refused UPDATE, refreshing by re-INVITE", "call", c.id, "code", code)
			c.mu.Lock()
			c.peerUpdate = false
			c.mu.Unlock()
		default:
			return err
		}
	}
	return err
}

// sendRefreshUpdate sends an UPDATE without a body restating the interval and who refreshes
// (RFC 4028 section 7.4; RFC 3311 section 5.1 allows an UPDATE without an offer).
func (c *Call) sendRefreshUpdate() (*gosip.Response, error) {
	c.mu.Lock()
	if c.state != stateConfirmed {
		c.mu.Unlock()
		return nil, ErrCallState
	}
	se, refresher := c.session, c.refresher
	c.mu.Unlock()
	req := c.newInDialog(gosip.UPDATE)
	if se > 0 {
		req.AppendHeader(gosip.NewHeader("Supported", "timer"))
		req.AppendHeader(gosip.NewHeader("Session-Expires", seconds(se)+";refresher="+refresher))
	}
	res, err := c.doInDialog(req)
	if err != nil {
		return res, err
	}
	c.notePeerAllow(res.GetHeaders("Allow"))
	if len(res.Body()) > 0 {
		// We made no offer, so there can be no answer (RFC 3311 section 5.2): ignored.
		c.ua.log.Debug("sip: body in the 200 to an UPDATE without offer ignored", "call", c.id)
	}
	c.noteRefresh()
	return res, nil
}

// waitGlare waits the RFC 3261 section 14.1 time after a 491 and reports false when the call
// or the UA ended meanwhile.
func (c *Call) waitGlare() bool {
	var d time.Duration
	if c.incoming {
		d = time.Duration(randUint64()%2001) * time.Millisecond // 0-2 s
	} else {
		d = 2100*time.Millisecond + time.Duration(randUint64()%1901)*time.Millisecond // 2.1-4 s
	}
	t := c.ua.clk.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
		return true
	case <-c.over:
		return false
	case <-c.ua.done:
		return false
	}
}
