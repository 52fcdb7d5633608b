package sip

import (
	"context"
	"fmt"
	"strings"

	gosip "github.com/emiago/sipgo/sip"
)

// The INVITE retries runOutgoing makes: credentials for 401/407, one 3xx redirect, and the
// interval a 422 asks for. Each is a new transaction with the next CSeq.

// retryAuth resends the INVITE with credentials for a 401/407 challenge.
func (c *Call) retryAuth(res *gosip.Response) (gosip.ClientTransaction, error) {
	return c.resendInvite(func(req *gosip.Request) error {
		return applyDigest(req, res, c.acct)
	})
}

// redirect follows a 3xx once: a new INVITE to the first Contact.
func (c *Call) redirect(target gosip.Uri) (gosip.ClientTransaction, error) {
	return c.resendInvite(func(req *gosip.Request) error {
		req.Recipient = target
		c.mu.Lock()
		c.remoteTarget = target
		c.mu.Unlock()
		req.RemoveHeader("Route")
		req.SetTransport(c.ua.transportFor(target))
		req.SetDestination(destOf(target))
		return nil
	})
}

// retryMinSE resends the INVITE with the Session-Expires a 422 asked for (RFC 4028 section 6).
func (c *Call) retryMinSE(res *gosip.Response) (gosip.ClientTransaction, error) {
	h := res.GetHeader("Min-SE")
	if h == nil {
		return nil, fmt.Errorf("sip: 422 without Min-SE")
	}
	v, _, _ := strings.Cut(h.Value(), ";")
	v = strings.TrimSpace(v)
	return c.resendInvite(func(req *gosip.Request) error {
		req.RemoveHeader("Session-Expires")
		req.RemoveHeader("Min-SE")
		req.AppendHeader(gosip.NewHeader("Session-Expires", v))
		req.AppendHeader(gosip.NewHeader("Min-SE", v))
		return nil
	})
}

// resendInvite sends a copy of the INVITE, changed by edit, as a new transaction with the
// next CSeq and a new Via; edit may retarget it with SetTransport and SetDestination. The
// copy and its transaction become the call's INVITE.
func (c *Call) resendInvite(edit func(req *gosip.Request) error) (gosip.ClientTransaction, error) {
	c.mu.Lock()
	req := c.inviteReq.Clone()
	c.localCSeq++
	req.CSeq().SeqNo = c.localCSeq
	c.mu.Unlock()
	if err := edit(req); err != nil {
		return nil, err
	}
	req.RemoveHeader("Via")
	c.ua.prepare(req, req.Transport(), req.Destination())
	tx, err := c.ua.request(context.Background(), req)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.inviteReq, c.inviteTx = req, tx
	c.mu.Unlock()
	return tx, nil
}
