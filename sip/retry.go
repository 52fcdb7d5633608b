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
	c.mu.Lock()
	req := c.inviteReq.Clone()
	c.localCSeq++
	req.CSeq().SeqNo = c.localCSeq
	c.mu.Unlock()
	if err := applyDigest(req, res, c.acct); err != nil {
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

// redirect follows a 3xx once: a new INVITE to the first Contact.
func (c *Call) redirect(target gosip.Uri) (gosip.ClientTransaction, error) {
	c.mu.Lock()
	req := c.inviteReq.Clone()
	req.Recipient = target
	c.remoteTarget = target
	c.localCSeq++
	req.CSeq().SeqNo = c.localCSeq
	c.mu.Unlock()
	req.RemoveHeader("Via")
	req.RemoveHeader("Route")
	c.ua.prepare(req, c.ua.transportFor(target), destOf(target))
	tx, err := c.ua.request(context.Background(), req)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.inviteReq, c.inviteTx = req, tx
	c.mu.Unlock()
	return tx, nil
}

// retryMinSE resends the INVITE with the Session-Expires a 422 asked for (RFC 4028 section 6).
func (c *Call) retryMinSE(res *gosip.Response) (gosip.ClientTransaction, error) {
	h := res.GetHeader("Min-SE")
	if h == nil {
		return nil, fmt.Errorf("sip: 422 without Min-SE")
	}
	v, _, _ := strings.Cut(h.Value(), ";")
	c.mu.Lock()
	req := c.inviteReq.Clone()
	c.localCSeq++
	req.CSeq().SeqNo = c.localCSeq
	c.mu.Unlock()
	req.RemoveHeader("Session-Expires")
	req.RemoveHeader("Min-SE")
	req.AppendHeader(gosip.NewHeader("Session-Expires", strings.TrimSpace(v)))
	req.AppendHeader(gosip.NewHeader("Min-SE", strings.TrimSpace(v)))
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
