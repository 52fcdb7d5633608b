package sip

import (
	"context"
	"fmt"
	"strings"
	"time"

	gosip "github.com/emiago/sipgo/sip"
)

// Dial sends an INVITE with offer to target ("sip:user@host[:port]", or a bare user when an
// account is configured) and returns at once; Ringing, EarlyMedia, Answered and Ended follow
// on Events. With an account, the INVITE goes through the registrar holding its binding (the
// backup while failed over; see outbound) with the account's identity and credentials;
// userless, it goes straight to the URI. If ctx ends before the call is answered the call is
// cancelled (the controller's ring timeout); after the answer ctx has no effect.
func (u *UA) Dial(ctx context.Context, target string, offer MediaOffer) (*Call, error) {
	select {
	case <-u.ready:
	default:
		return nil, ErrNotRunning
	}
	if u.isClosing() {
		return nil, ErrClosed
	}
	rt := u.outbound()
	acct, reg := rt.acct, rt.reg
	if acct != nil && !strings.Contains(target, ":") {
		target = "sip:" + target + "@" + accountDomain(*acct)
	}
	var ruri gosip.Uri
	if err := gosip.ParseUri(target, &ruri); err != nil || ruri.Host == "" ||
		(ruri.Scheme != "sip" && ruri.Scheme != "sips") {
		return nil, fmt.Errorf("%w: %q", ErrBadTarget, target)
	}
	rt.retarget(&ruri)
	dest := destOf(ruri)
	transport := u.transportFor(ruri)
	user := "door"
	fromURI := gosip.Uri{Scheme: "sip", User: user}
	if acct != nil {
		transport, dest = u.proxyTransport(ctx, reg)
		user = acct.User
		fromURI = gosip.Uri{Scheme: "sip", User: acct.User, Host: accountDomain(*acct)}
	}
	lip := u.localIP(dest)
	if fromURI.Host == "" {
		fromURI.Host = uriHost(lip)
	}
	public := u.publicFor(acct, dest)
	offer = publicOffer(offer, lip, public)

	c := &Call{
		ua:           u,
		id:           gosip.GenerateTagN(24),
		local:        offer,
		direction:    "sendrecv",
		sessID:       randUint64(),
		sdpVer:       1,
		localURI:     fromURI,
		remoteURI:    gosip.Uri{Scheme: ruri.Scheme, User: ruri.User, Host: ruri.Host, Port: ruri.Port},
		localTag:     gosip.GenerateTagN(16),
		remoteTarget: ruri,
		localCSeq:    randCSeq(),
		transport:    transport,
		user:         user,
		acct:         acct,
		public:       public,
		hangup:       make(chan struct{}),
		over:         make(chan struct{}),
	}
	req := gosip.NewRequest(gosip.INVITE, ruri)
	from := &gosip.FromHeader{DisplayName: u.cfg.DisplayName, Address: fromURI, Params: gosip.NewParams()}
	from.Params.Add("tag", c.localTag)
	to := &gosip.ToHeader{Address: c.remoteURI}
	callID := gosip.CallIDHeader(c.id)
	req.AppendHeader(from)
	req.AppendHeader(to)
	req.AppendHeader(&callID)
	req.AppendHeader(&gosip.CSeqHeader{SeqNo: c.localCSeq, MethodName: gosip.INVITE})
	req.AppendHeader(applyPublic(u.contactFor(user, transport, dest), public))
	req.AppendHeader(gosip.NewHeader("Allow", allowMethods))
	for _, h := range u.sessionTimerHeaders(u.cfg.SessionExpires) {
		req.AppendHeader(h)
	}
	req.AppendHeader(gosip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(buildSDP(offer, c.sessID, c.sdpVer, "sendrecv"))
	u.prepare(req, transport, dest)
	c.inviteReq = req

	u.mu.Lock()
	if u.closed {
		u.mu.Unlock()
		return nil, ErrClosed
	}
	u.calls[c.id] = c
	u.mu.Unlock()

	tx, err := u.request(context.Background(), req)
	if err != nil {
		u.forget(c)
		return nil, fmt.Errorf("sip: INVITE %s: %w", target, err)
	}
	c.inviteTx = tx
	u.log.Info("sip: dialing", "call", c.id, "target", target)
	u.goBackground(func() { c.runOutgoing(ctx) })
	return c, nil
}

func accountDomain(a Account) string {
	if a.Domain != "" {
		return a.Domain
	}
	r, _ := ParseURI(a.Registrar)
	return r.Host
}

// shutdownGrace bounds how long Run waits for a cancelled call's final response. It is wall
// time on purpose: a fake clock in tests must not keep Run from returning.
const shutdownGrace = 2 * time.Second

// runOutgoing follows the INVITE client transaction to its end: provisional responses,
// authentication retries, one redirect, the answer (ACK) and the CANCEL races.
func (c *Call) runOutgoing(ctx context.Context) {
	u := c.ua
	auths, redirects, retried422 := 0, 0, false
	var sawRinging bool
	tx := c.inviteTx
	hangup, done := c.hangup, u.done
	var stop <-chan time.Time
	for {
		select {
		case res := <-tx.Responses():
			code := res.StatusCode
			switch {
			case code == 100:
			case res.IsProvisional():
				c.markSeen(res)
				c.onProvisional(res, &sawRinging)
			case res.IsSuccess():
				// Provisionals that arrived before this 2xx but lost the race to the
				// transaction (sipgo delivers each from its own goroutine) come first.
				for _, p := range c.missedBefore(res.CSeq().SeqNo) {
					c.onProvisional(p, &sawRinging)
				}
				c.onInvite2xx(tx, res)
				return
			case (code == 401 || code == 407) && c.acct != nil && c.acct.Password != "" && auths < 2:
				auths++
				ntx, err := c.retryAuth(res)
				if err != nil {
					u.log.Warn("sip: INVITE auth", "call", c.id, "err", err)
					c.end(code, res.Reason)
					return
				}
				tx = ntx
			case code == 422 && !retried422:
				retried422 = true
				ntx, err := c.retryMinSE(res)
				if err != nil {
					c.end(code, res.Reason)
					return
				}
				tx = ntx
			case res.IsRedirection() && redirects == 0 && res.Contact() != nil:
				redirects++
				ntx, err := c.redirect(res.Contact().Address)
				if err != nil {
					c.end(code, res.Reason)
					return
				}
				tx = ntx
			default:
				c.mu.Lock()
				cancelled := c.cancelWanted
				c.mu.Unlock()
				reason := res.Reason
				if cancelled {
					reason = "local hangup"
				}
				c.end(code, reason)
				return
			}
		case <-tx.Done():
			c.end(408, "no final response")
			return
		case <-hangup:
			hangup = nil // a nil channel never fires again
			c.mu.Lock()
			send := c.provisional && !c.cancelSent
			c.mu.Unlock()
			if send {
				c.sendCancel()
			}
		case <-ctx.Done():
			ctx = context.Background()
			c.Hangup()
		case <-done:
			// Run is stopping. With a provisional in hand, CANCEL and keep reading for a
			// moment so the CANCEL race still ends in ACK + BYE; without one nothing can be
			// cancelled (RFC 3261 section 9.1), so drop the transaction.
			done = nil
			c.mu.Lock()
			prov := c.provisional
			c.mu.Unlock()
			if !prov {
				tx.Terminate()
				c.end(0, "stopped")
				return
			}
			c.Hangup()
			stop = time.After(shutdownGrace)
		case <-stop:
			tx.Terminate()
			c.end(0, "stopped")
			return
		}
	}
}

// onProvisional handles a 1xx (not 100) to our INVITE: the dialog goes early, a wanted
// CANCEL goes out, SDP in it is early media, and the first without is Ringing.
func (c *Call) onProvisional(res *gosip.Response, sawRinging *bool) {
	u, code := c.ua, res.StatusCode
	c.mu.Lock()
	c.provisional = true
	if tag, ok := res.To().Params.Get("tag"); ok && c.state == stateCalling {
		c.remoteTag = tag
		c.state = stateEarly
	}
	cancel := c.cancelWanted && !c.cancelSent
	c.mu.Unlock()
	if cancel {
		c.sendCancel()
		return
	}
	if len(res.Body()) > 0 {
		if _, err := c.applyAnswer(res.Body()); err == nil {
			c.mu.Lock()
			local := c.local
			c.mu.Unlock()
			pinhole(local, res.Body())
			u.emit(Event{Kind: EarlyMedia, Call: c, Code: code, Reason: res.Reason})
			return
		}
	}
	if !*sawRinging {
		*sawRinging = true
		u.emit(Event{Kind: Ringing, Call: c, Code: code, Reason: res.Reason})
	}
}

// sendCancel cancels the current INVITE (RFC 3261 section 9.1): same Request-URI, Via,
// Call-ID, From, To, CSeq number and Route.
func (c *Call) sendCancel() {
	c.mu.Lock()
	c.cancelSent = true
	inv := c.inviteReq
	c.mu.Unlock()
	req := gosip.NewRequest(gosip.CANCEL, inv.Recipient)
	req.AppendHeader(inv.Via().Clone())
	for _, r := range inv.GetHeaders("Route") {
		req.AppendHeader(gosip.NewHeader("Route", r.Value()))
	}
	req.AppendHeader(gosip.HeaderClone(inv.From()))
	req.AppendHeader(gosip.HeaderClone(inv.To()))
	req.AppendHeader(gosip.HeaderClone(inv.CallID()))
	req.AppendHeader(&gosip.CSeqHeader{SeqNo: inv.CSeq().SeqNo, MethodName: gosip.CANCEL})
	c.ua.prepare(req, inv.Transport(), inv.Destination())
	req.Laddr = inv.Laddr
	c.ua.goBackground(func() {
		if _, err := c.doInDialog(req); err != nil {
			c.ua.log.Debug("sip: CANCEL", "call", c.id, "err", err)
		}
	})
}

// onInvite2xx establishes the dialog from a 2xx: remote tag, target and route set, the SDP
// answer, then ACK. A call hung up meanwhile gets ACK + BYE (the CANCEL/200 race).
func (c *Call) onInvite2xx(tx gosip.ClientTransaction, res *gosip.Response) {
	u := c.ua
	c.mu.Lock()
	if tag, ok := res.To().Params.Get("tag"); ok {
		c.remoteTag = tag
	}
	if ct := res.Contact(); ct != nil {
		c.remoteTarget = ct.Address
	}
	c.peerUpdate = allowsUpdate(res.GetHeaders("Allow"))
	rr := res.GetHeaders("Record-Route")
	c.routeSet = c.routeSet[:0]
	for i := len(rr) - 1; i >= 0; i-- {
		c.routeSet = append(c.routeSet, rr[i].Value())
	}
	c.state = stateConfirmed
	cancelled := c.cancelWanted
	c.mu.Unlock()

	c.mu.Lock()
	local := c.local
	c.mu.Unlock()
	if !cancelled {
		pinhole(local, res.Body())
	}
	// The answer is in force before the ACK leaves: a peer may send an UPDATE or re-INVITE
	// as soon as it has the ACK, and its change must land on the answer, not under it.
	var err error
	if !cancelled {
		_, err = c.applyAnswer(res.Body())
	}
	ack := c.ackFor(res)
	tmpl := ack.Clone()
	tx.OnRetransmission(func(r *gosip.Response) {
		if r.IsSuccess() {
			_ = u.cli.WriteRequest(tmpl.Clone(), prebuilt)
		}
	})
	if err := u.cli.WriteRequest(ack, prebuilt); err != nil {
		u.log.Warn("sip: ACK", "call", c.id, "err", err)
	}
	switch {
	case cancelled:
		c.bye("local hangup")
	case err != nil:
		// RFC 3261 section 13.2.2.4: a UAC that cannot use the answer ACKs, then BYEs.
		u.log.Warn("sip: unusable answer", "call", c.id, "err", err)
		c.bye("unusable SDP answer")
	default:
		c.answered(res)
	}
}

// answered starts the session timer a 2xx asks for and emits Answered. A change the peer
// sent right after our ACK may be handled first (its MediaUpdate before Answered);
// Negotiated holds it either way.
func (c *Call) answered(res *gosip.Response) {
	u := c.ua
	if se, we := sessionFromResponse(res); se > 0 {
		c.mu.Lock()
		c.session, c.refresher = se, "uas"
		if we {
			c.refresher = "uac"
		}
		c.mu.Unlock()
		c.startSessionTimer(se, we)
	}
	u.log.Info("sip: call answered", "call", c.id)
	u.emit(Event{Kind: Answered, Call: c, Code: res.StatusCode, Reason: res.Reason})
}

// ackFor builds the ACK for a 2xx: an in-dialog request with the INVITE's CSeq number and a
// new branch (RFC 3261 section 13.2.2.4).
func (c *Call) ackFor(res *gosip.Response) *gosip.Request {
	c.mu.Lock()
	inviteSeq := c.inviteReq.CSeq().SeqNo
	c.mu.Unlock()
	return c.newInDialogAck(inviteSeq)
}

// applyAnswer negotiates the peer's SDP answer against our offer.
func (c *Call) applyAnswer(body []byte) (Negotiated, error) {
	rm, err := parseSDP(body)
	if err != nil {
		return Negotiated{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	n, err := negotiate(c.local, rm, true, c.direction)
	if err != nil {
		return n, err
	}
	c.neg = n
	return n, nil
}
