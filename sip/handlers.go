package sip

import (
	"strings"

	gosip "github.com/emiago/sipgo/sip"
)

// handlers maps each method we serve to its handler; routes installs them on the sipgo
// server and dispatch uses them directly (torture tests feed messages in-process).
func (u *UA) handlers() map[gosip.RequestMethod]func(*gosip.Request, gosip.ServerTransaction) {
	return map[gosip.RequestMethod]func(*gosip.Request, gosip.ServerTransaction){
		gosip.INVITE:    u.onInvite,
		gosip.ACK:       u.onAck,
		gosip.BYE:       u.onBye,
		gosip.CANCEL:    u.onCancel,
		gosip.OPTIONS:   u.onOptions,
		gosip.INFO:      u.onInfo,
		gosip.UPDATE:    u.onUpdate,
		gosip.REFER:     u.onRefer,
		gosip.NOTIFY:    u.onNotify,
		gosip.SUBSCRIBE: u.onSubscribe,
		gosip.MESSAGE:   u.onMessage,
	}
}

func (u *UA) routes() {
	for m, h := range u.handlers() {
		u.srv.OnRequest(m, u.guard(h))
	}
	u.srv.OnNoRoute(u.guard(u.onNoRoute))
}

// dispatch hands req to its handler as sipgo's server would.
func (u *UA) dispatch(req *gosip.Request, tx gosip.ServerTransaction) {
	if h, ok := u.handlers()[req.Method]; ok {
		u.guard(h)(req, tx)
		return
	}
	u.guard(u.onNoRoute)(req, tx)
}

func (u *UA) onNoRoute(req *gosip.Request, tx gosip.ServerTransaction) {
	if req.IsAck() {
		return
	}
	u.respond(tx, req, 501, "Not Implemented", nil, gosip.NewHeader("Allow", allowMethods))
}

// inDialog finds the call a request belongs to and checks its tags and CSeq (RFC 3261
// section 12.2.2); it answers 481 or 500 itself and returns nil when the request is not ours.
func (u *UA) inDialog(req *gosip.Request, tx gosip.ServerTransaction) *Call {
	if req.CallID() == nil || req.From() == nil || req.To() == nil || req.CSeq() == nil {
		if tx != nil && !req.IsAck() {
			u.respond(tx, req, 400, "Missing dialog headers", nil)
		}
		return nil
	}
	c := u.lookup(req.CallID().Value())
	ok := c != nil
	if ok {
		toTag, _ := req.To().Params.Get("tag")
		fromTag, _ := req.From().Params.Get("tag")
		c.mu.Lock()
		ok = toTag == c.localTag && (c.remoteTag == "" || fromTag == c.remoteTag)
		c.mu.Unlock()
	}
	if !ok {
		if tx != nil && !req.IsAck() {
			u.respond(tx, req, 481, "Call/Transaction Does Not Exist", nil)
		}
		return nil
	}
	if req.IsAck() {
		return c
	}
	seq := req.CSeq().SeqNo
	c.mu.Lock()
	stale := c.remoteCSeq != 0 && seq <= c.remoteCSeq
	if !stale {
		c.remoteCSeq = seq
	}
	c.mu.Unlock()
	if stale {
		if req.IsInvite() && c.answerAgain(req, tx) {
			return nil
		}
		u.respond(tx, req, 500, "CSeq Out of Order", nil)
		return nil
	}
	return c
}

func (u *UA) onAck(req *gosip.Request, tx gosip.ServerTransaction) {
	c := u.inDialog(req, nil)
	if c == nil {
		return
	}
	c.mu.Lock()
	first := c.state == stateAnswering
	if first {
		c.state = stateConfirmed
	}
	var update bool
	var answerErr error
	if body := req.Body(); len(body) > 0 && c.incoming {
		// Answer to the offer we put in a 200 (offer-less INVITE or re-INVITE).
		rm, err := parseSDP(body)
		if err == nil {
			var n Negotiated
			if n, err = negotiate(c.local, rm, true, c.direction); err == nil {
				c.neg = n
				update = !first
			}
		}
		answerErr = err
	} else if first && c.lateOffer {
		answerErr = ErrNoAnswer
	}
	lateFailed := first && c.lateOffer && answerErr != nil
	local := c.local
	c.mu.Unlock()
	if first && c.incoming && answerErr == nil {
		pinhole(local, req.Body()) // a late offer's answer: the first we hear of its address
	}
	c.ackArrived(req.CSeq().SeqNo, first)
	if lateFailed {
		// The dialog is confirmed but has no session: end it (RFC 3261 section 13.3.1.4
		// lets the UAS send BYE for an ACK whose answer it cannot accept).
		u.log.Warn("sip: late-offer ACK without a usable answer; hanging up", "call", c.id, "err", answerErr)
		c.bye("no answer in ACK")
		return
	}
	if first {
		u.log.Info("sip: call answered", "call", c.id)
		u.emit(Event{Kind: Answered, Call: c, Code: 200, Reason: "OK"})
	} else if update {
		u.emit(Event{Kind: MediaUpdate, Call: c})
	}
}

func (u *UA) onBye(req *gosip.Request, tx gosip.ServerTransaction) {
	c := u.inDialog(req, tx)
	if c == nil {
		return
	}
	u.respond(tx, req, 200, "OK", nil)
	c.end(0, "remote hangup")
}

// onCancel sees only CANCELs sipgo could not match to an INVITE transaction.
func (u *UA) onCancel(req *gosip.Request, tx gosip.ServerTransaction) {
	u.respond(tx, req, 481, "Call/Transaction Does Not Exist", nil)
}

func (u *UA) onOptions(req *gosip.Request, tx gosip.ServerTransaction) {
	u.notif.mu.Lock()
	events := u.notif.allowEvents()
	u.notif.mu.Unlock()
	u.respond(tx, req, 200, "OK", nil,
		gosip.NewHeader("Allow", allowMethods),
		gosip.NewHeader("Accept", acceptTypes),
		gosip.NewHeader("Supported", "timer"),
		gosip.NewHeader("Allow-Events", events),
	)
}

func (u *UA) onInfo(req *gosip.Request, tx gosip.ServerTransaction) {
	c := u.inDialog(req, tx)
	if c == nil {
		return
	}
	ct := ""
	if h := req.ContentType(); h != nil {
		ct = strings.ToLower(strings.TrimSpace(h.Value()))
		ct, _, _ = strings.Cut(ct, ";")
	}
	switch ct {
	case "application/dtmf-relay", "application/dtmf":
	case "":
		// Some PBXs probe with an empty INFO (keepalive); accept it.
		u.respond(tx, req, 200, "OK", nil)
		return
	default:
		u.respond(tx, req, 415, "Unsupported Media Type", nil, gosip.NewHeader("Accept", "application/dtmf-relay, application/dtmf"))
		return
	}
	d, ok := parseDTMFBody(ct, req.Body())
	if !ok {
		u.respond(tx, req, 400, "Bad DTMF Body", nil)
		return
	}
	u.respond(tx, req, 200, "OK", nil)
	u.emit(Event{Kind: DTMF, Call: c, Digit: d})
}

// parseDTMFBody reads "Signal=5\r\nDuration=160" (application/dtmf-relay) or "5"
// (application/dtmf).
func parseDTMFBody(ct string, body []byte) (rune, bool) {
	s := strings.TrimSpace(string(body))
	if ct == "application/dtmf-relay" {
		found := false
		for _, line := range strings.Split(s, "\n") {
			k, v, ok := strings.Cut(line, "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "signal") {
				s, found = strings.TrimSpace(v), true
				break
			}
		}
		if !found {
			return 0, false
		}
	}
	switch {
	case len(s) == 1:
		d := rune(strings.ToUpper(s)[0])
		return d, validDigit(d)
	case s == "10":
		return '*', true
	case s == "11":
		return '#', true
	}
	return 0, false
}

func reasonPhrase(code int) string {
	switch code {
	case 403:
		return "Forbidden"
	case 404:
		return "Not Found"
	case 408:
		return "Request Timeout"
	case 480:
		return "Temporarily Unavailable"
	case 486:
		return "Busy Here"
	case 487:
		return "Request Terminated"
	case 488:
		return "Not Acceptable Here"
	case 500:
		return "Server Internal Error"
	case 503:
		return "Service Unavailable"
	case 600:
		return "Busy Everywhere"
	case 603:
		return "Decline"
	}
	return "Rejected"
}
