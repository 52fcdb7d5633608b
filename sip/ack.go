package sip

import (
	"strings"

	gosip "github.com/emiago/sipgo/sip"
)

// sent2xx is our 2xx to an INVITE, the initial one or a re-INVITE, until its ACK arrives.
// The UAS core retransmits it, not the transaction (RFC 3261 section 13.3.1.4; sipgo's server
// transaction follows RFC 6026 and only absorbs INVITE retransmissions once it sent a 2xx).
type sent2xx struct {
	seq   uint32 // CSeq number of the INVITE, which its ACK repeats
	res   *gosip.Response
	acked chan struct{} // closed when the ACK arrives or a later INVITE supersedes this one
}

// send2xx sends res, our 2xx to the INVITE with CSeq number seq, on tx and retransmits it
// until its ACK arrives; without an ACK for 64*T1 the call ends with BYE. It is recorded
// before it leaves, so that an ACK on its heels finds it.
func (c *Call) send2xx(tx gosip.ServerTransaction, seq uint32, res *gosip.Response) {
	p := &sent2xx{seq: seq, res: res, acked: make(chan struct{})}
	c.mu.Lock()
	old := c.unacked
	c.unacked = p
	c.mu.Unlock()
	if old != nil {
		// The peer starts a new INVITE transaction only after the previous one ended, which
		// for a 2xx means the 2xx reached it (RFC 3261 section 17.1.1.2): stop resending it.
		close(old.acked)
	}
	if err := tx.Respond(res); err != nil {
		c.ua.log.Debug("sip: send 2xx to INVITE", "call", c.id, "cseq", seq, "err", err)
	}
	c.ua.goBackground(func() { c.retransmit2xx(p) })
}

// retransmit2xx resends p on UDP at T1, doubling up to T2, until its ACK arrives; without an
// ACK for 64*T1 the dialog is confirmed but the session ends with BYE (RFC 3261 section
// 13.3.1.4). On TCP and TLS only the give-up timer runs.
func (c *Call) retransmit2xx(p *sent2xx) {
	u := c.ua
	reliable := c.transport != "UDP"
	interval := gosip.T1
	giveUp := u.clk.NewTimer(64 * gosip.T1)
	defer giveUp.Stop()
	tick := u.clk.NewTimer(interval)
	defer tick.Stop()
	for {
		select {
		case <-p.acked:
			return
		case <-c.over:
			return
		case <-u.done:
			return
		case <-giveUp.C():
			if !c.ended() {
				u.log.Warn("sip: no ACK for 200", "call", c.id, "cseq", p.seq)
				c.bye("no ACK")
			}
			return
		case <-tick.C():
			if !reliable {
				if err := u.gua.TransportLayer().WriteMsg(p.res); err != nil {
					u.log.Debug("sip: 2xx retransmit", "call", c.id, "err", err)
				}
			}
			interval = min(2*interval, gosip.T2)
			tick.Reset(interval)
		}
	}
}

// ackArrived stops the retransmission of the 2xx an ACK with CSeq number seq acknowledges. The
// first ACK of an answered call confirms it whatever its CSeq, as it always did.
func (c *Call) ackArrived(seq uint32, first bool) {
	c.mu.Lock()
	p := c.unacked
	if p != nil && (p.seq == seq || first) {
		c.unacked = nil
	} else {
		p = nil
	}
	c.mu.Unlock()
	if p != nil {
		close(p.acked)
	}
}

// answerAgain answers an INVITE that repeats the one whose 2xx still waits for its ACK (same
// CSeq: the peer lost our 2xx and its retransmission came as a new transaction) with that
// same 2xx, rather than taking it for a new offer or refusing it as out of order.
func (c *Call) answerAgain(req *gosip.Request, tx gosip.ServerTransaction) bool {
	c.mu.Lock()
	p := c.unacked
	c.mu.Unlock()
	if p == nil || p.seq != req.CSeq().SeqNo {
		return false
	}
	// Via, tags, Call-ID and CSeq come from this request (RFC 3261 section 8.2.6.2); the
	// rest, the SDP above all, is what we sent before.
	res := gosip.NewResponseFromRequest(req, p.res.StatusCode, p.res.Reason, p.res.Body())
	for _, h := range p.res.Headers() {
		switch strings.ToLower(h.Name()) {
		case "via", "from", "to", "call-id", "cseq", "record-route", "content-length":
			continue
		}
		res.AppendHeader(gosip.HeaderClone(h))
	}
	if err := tx.Respond(res); err != nil {
		c.ua.log.Debug("sip: repeat 2xx to INVITE", "call", c.id, "cseq", p.seq, "err", err)
	}
	return true
}
