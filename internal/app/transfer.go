package app

import (
	"context"

	"github.com/doorsip/intercom/sip"
)

// transfer carries out a blind transfer (RFC 3515) the far end or the PBX asked for: the
// door calls the Refer-To target, and when it answers the audio moves there and the old
// dialog is ended. The controller keeps one call throughout; if the target never answers,
// the call ends as a whole.
func (p *phone) transfer(c *call, target string) {
	c.mu.Lock()
	busy := c.next != nil
	c.mu.Unlock()
	if busy {
		p.log.Warn("phone: transfer already in progress; ignoring another", "call", c.ID(), "target", target)
		return
	}
	conn, offer, key, err := p.offer(false)
	if err != nil {
		p.log.Error("phone: transfer: no RTP port", "call", c.ID(), "err", err)
		return
	}
	p.mu.Lock()
	ctx := p.ctx
	p.mu.Unlock()
	next, err := p.ua.Dial(context.WithoutCancel(ctx), target, offer)
	if err != nil {
		conn.Close()
		p.log.Error("phone: transfer: dial failed", "call", c.ID(), "target", target, "err", err)
		return
	}
	p.log.Info("phone: transferring", "call", c.ID(), "target", target)
	c.mu.Lock()
	c.next, c.nextConn, c.nextKey = next, conn, key
	c.mu.Unlock()
	p.mu.Lock()
	p.calls[next] = c
	p.mu.Unlock()
}

// completeTransfer handles the answer of a transfer leg: old media stops, the old dialog is
// hung up (the transferor usually has already), and media restarts toward the new party. It
// reports whether leg was a transfer leg (handled) and whether the call now carries the new
// party (ok); when media fails to start the leg is hung up and its end ends the call.
func (c *call) completeTransfer(leg *sip.Call) (handled, ok bool) {
	c.mu.Lock()
	if c.next != leg {
		c.mu.Unlock()
		return false, false
	}
	old := c.sc
	c.mu.Unlock()

	c.stopMedia()
	old.Hangup()

	c.mu.Lock()
	c.sc, c.conn, c.key = leg, c.nextConn, c.nextKey
	c.next, c.nextConn, c.nextKey = nil, nil, nil
	c.mu.Unlock()
	c.p.mu.Lock()
	delete(c.p.calls, old)
	c.p.mu.Unlock()
	if err := c.startMedia(); err != nil {
		c.p.log.Error("phone: media after transfer did not start; hanging up", "call", c.ID(), "err", err)
		leg.Hangup()
		return true, false
	}
	c.p.log.Info("phone: transfer complete", "call", c.ID(), "peer", leg.Remote())
	return true, true
}

// legEnded reports whether the end of dialog leg is absorbed by a transfer: the old dialog
// ending while the transfer leg rings (the transferor's BYE), or an old dialog already
// replaced. A failed transfer leg ends the whole call. It runs on the phone's event
// goroutine, like completeTransfer, so the two never race over the media session.
func (c *call) legEnded(leg *sip.Call) bool {
	c.mu.Lock()
	var absorbed, stopOld bool
	var hangup *sip.Call
	switch {
	case c.ended:
		absorbed = true // the controller has been told already
	case c.next != nil && leg == c.sc:
		// Keep the controller's call alive until the transfer leg answers or fails; nobody
		// is left on the old dialog, so its audio stops now.
		absorbed, stopOld = true, true
	case c.next != nil && leg == c.next:
		if c.nextConn != nil {
			c.nextConn.Close()
		}
		c.next, c.nextConn, c.nextKey = nil, nil, nil
		c.p.log.Warn("phone: transfer target did not answer; ending the call", "call", c.id)
		hangup = c.sc
		c.ended = true
	case leg != c.sc:
		absorbed = true // a replaced dialog
	default:
		c.ended = true
	}
	c.mu.Unlock()
	if stopOld {
		c.stopMedia()
	}
	if hangup != nil {
		hangup.Hangup()
	}
	return absorbed
}
