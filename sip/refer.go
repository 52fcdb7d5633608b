package sip

import (
	"fmt"

	gosip "github.com/emiago/sipgo/sip"
)

// onRefer accepts a blind transfer (RFC 3515) from the far end or the PBX: 202, a final
// NOTIFY, and a Transfer event whose Reason is the Refer-To URI; the controller dials it.
func (u *UA) onRefer(req *gosip.Request, tx gosip.ServerTransaction) {
	c := u.inDialog(req, tx)
	if c == nil {
		return
	}
	rt := req.GetHeader("Refer-To")
	if rt == nil {
		u.respond(tx, req, 400, "Missing Refer-To", nil)
		return
	}
	var target gosip.Uri
	var params gosip.HeaderParams
	if _, err := gosip.ParseAddressValue(rt.Value(), &target, &params); err != nil {
		u.respond(tx, req, 400, "Bad Refer-To", nil)
		return
	}
	u.respond(tx, req, 202, "Accepted", nil)
	u.emit(Event{Kind: Transfer, Call: c, Reason: (&gosip.Uri{Scheme: target.Scheme, User: target.User, Host: target.Host, Port: target.Port}).String()})
	u.goBackground(func() {
		n := c.newInDialog(gosip.NOTIFY)
		n.AppendHeader(gosip.NewHeader("Event", "refer"))
		n.AppendHeader(gosip.NewHeader("Subscription-State", "terminated;reason=noresource"))
		n.AppendHeader(gosip.NewHeader("Content-Type", "message/sipfrag;version=2.0"))
		n.SetBody([]byte("SIP/2.0 200 OK\r\n"))
		if _, err := c.doInDialog(n); err != nil {
			u.log.Debug("sip: NOTIFY for REFER", "call", c.id, "err", err)
		}
	})
}

// onNotify accepts in-dialog NOTIFYs: message-summary for a watched voicemail box, or the
// progress of a transfer we asked for.
func (u *UA) onNotify(req *gosip.Request, tx gosip.ServerTransaction) {
	for _, m := range u.mwi {
		if m.onNotify(req, tx) {
			return
		}
	}
	if c := u.inDialog(req, tx); c != nil {
		u.respond(tx, req, 200, "OK", nil)
	}
}

// Transfer asks the far end to call uri (blind transfer, RFC 3515) and waits for 202.
func (c *Call) Transfer(uri string) error {
	var target gosip.Uri
	if err := gosip.ParseUri(uri, &target); err != nil || target.Host == "" {
		return fmt.Errorf("%w: %q", ErrBadTarget, uri)
	}
	c.mu.Lock()
	st := c.state
	c.mu.Unlock()
	if st != stateConfirmed {
		return fmt.Errorf("%w: transfer", ErrCallState)
	}
	req := c.newInDialog(gosip.REFER)
	req.AppendHeader(gosip.NewHeader("Refer-To", "<"+target.String()+">"))
	req.AppendHeader(gosip.NewHeader("Referred-By", "<"+c.localURI.String()+">"))
	_, err := c.doInDialog(req)
	return err
}
