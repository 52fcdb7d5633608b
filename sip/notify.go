package sip

import (
	"context"
	"fmt"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	gosip "github.com/emiago/sipgo/sip"
)

// kickLocked marks s as needing a NOTIFY and starts its sender unless one runs; n.mu is held.
func (n *notifier) kickLocked(s *subscription) {
	if s.gone {
		return
	}
	s.dirty = true
	if s.sending || !n.running {
		return
	}
	s.sending = true
	n.u.goBackground(func() { n.send(s) })
}

// send delivers NOTIFYs for s until it holds no newer state; a NOTIFY that fails (481, any
// other error response, Timer F) ends the subscription (RFC 6665 section 4.2.2).
func (n *notifier) send(s *subscription) {
	for {
		n.mu.Lock()
		if s.gone || (!s.dirty && len(s.passed) == 0) {
			s.sending = false
			n.mu.Unlock()
			return
		}
		st := n.state
		if len(s.passed) > 0 && s.ending == "" {
			st = s.passed[0]
			s.passed = s.passed[1:]
		} else {
			s.passed = s.passed[:0]
		}
		s.dirty = false
		req, last := n.buildNotify(s, st)
		n.mu.Unlock()

		err := n.u.doNotify(req)
		n.mu.Lock()
		if err != nil || last {
			if err != nil {
				n.u.log.Info("sip: subscription ended, NOTIFY failed", "event", s.pkg.String(), "to", s.remoteURI.String(), "err", err)
			}
			n.removeLocked(s)
			s.sending = false
			n.mu.Unlock()
			n.poke()
			return
		}
		n.mu.Unlock()
	}
}

// buildNotify makes the next NOTIFY of s with state st; n.mu is held. last says whether it
// terminates the subscription.
func (n *notifier) buildNotify(s *subscription, st DoorState) (*gosip.Request, bool) {
	u := n.u
	req := gosip.NewRequest(gosip.NOTIFY, s.target)
	for _, r := range s.routeSet {
		req.AppendHeader(gosip.NewHeader("Route", r))
	}
	from := &gosip.FromHeader{Address: s.localURI, Params: gosip.NewParams()}
	from.Params.Add("tag", s.localTag)
	to := &gosip.ToHeader{Address: s.remoteURI, Params: gosip.NewParams()}
	if s.remoteTag != "" {
		to.Params.Add("tag", s.remoteTag)
	}
	callID := gosip.CallIDHeader(s.callID)
	s.localCSeq++
	req.AppendHeader(from)
	req.AppendHeader(to)
	req.AppendHeader(&callID)
	req.AppendHeader(&gosip.CSeqHeader{SeqNo: s.localCSeq, MethodName: gosip.NOTIFY})
	dest := destOf(s.target)
	if len(s.routeSet) > 0 {
		if r := req.Route(); r != nil {
			dest = destOf(r.Address)
		}
	}
	req.AppendHeader(u.contactFor(s.localURI.User, s.transport, dest))
	ev := s.pkg.String()
	if s.eventID != "" {
		ev += ";id=" + s.eventID
	}
	req.AppendHeader(gosip.NewHeader("Event", ev))
	state, last := s.ending, s.ending != ""
	if !last {
		left := s.expires.Sub(u.clk.Now())
		state = "active;expires=" + seconds(max(left, 0)+time.Second/2)
	}
	req.AppendHeader(gosip.NewHeader("Subscription-State", state))
	req.AppendHeader(gosip.NewHeader("Content-Type", s.pkg.contentType()))
	entity := s.localURI.String()
	s.version++
	if s.pkg == pkgDialog {
		req.SetBody(buildDialogInfo(st, entity, s.version-1, n.cfg.ExposeRemote))
	} else {
		req.SetBody(buildPIDF(st, entity))
	}
	u.prepare(req, s.transport, dest)
	return req, last
}

// shutdownNotify bounds a final NOTIFY while the UA stops: it is a courtesy (the phone
// subscribes again when its subscription runs out anyway), and a phone that went away must
// not hold the stop for shutdownGrace. Over UDP it covers the first retransmission.
const shutdownNotify = 600 * time.Millisecond

// doNotify sends a NOTIFY and waits for a 2xx, bounded like any in-dialog request.
func (u *UA) doNotify(req *gosip.Request) error {
	limit := 64*gosip.T1 + time.Second
	if u.isClosing() {
		limit = shutdownNotify
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	res, err := u.do(ctx, req)
	if err != nil {
		return fmt.Errorf("sip: NOTIFY: %w", err)
	}
	if !res.IsSuccess() {
		return fmt.Errorf("%w: NOTIFY: %d %s", ErrRejected, res.StatusCode, res.Reason)
	}
	return nil
}

// start lets subscriptions send; Run calls it once listening.
func (n *notifier) start() {
	n.mu.Lock()
	n.running = true
	n.mu.Unlock()
}

// shutdown ends every subscription with a final NOTIFY (probation: the subscriber tries
// again later, RFC 6665 section 4.1.3) and lets no new sender start; Run waits for them.
func (n *notifier) shutdown() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, s := range n.subs {
		if s.ending == "" {
			s.ending = "terminated;reason=probation;retry-after=60"
		}
		n.kickLocked(s)
	}
	n.running = false
}

// run ends subscriptions when they expire (a final NOTIFY with reason=timeout) until ctx
// ends.
func (n *notifier) run(ctx context.Context, clk clock.Clock) {
	for {
		n.mu.Lock()
		var next time.Time
		for _, s := range n.subs {
			if s.ending == "" && (next.IsZero() || s.expires.Before(next)) {
				next = s.expires
			}
		}
		n.mu.Unlock()
		var t clock.Timer
		var due <-chan time.Time
		if !next.IsZero() {
			t = clk.NewTimer(max(next.Sub(clk.Now()), 0))
			due = t.C()
		}
		select {
		case <-ctx.Done():
			if t != nil {
				t.Stop()
			}
			return
		case <-n.wake:
		case <-due:
			n.expire(clk.Now())
		}
		if t != nil {
			t.Stop()
		}
	}
}

func (n *notifier) expire(now time.Time) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, s := range n.subs {
		if s.ending == "" && !s.expires.After(now) {
			s.ending = "terminated;reason=timeout"
			n.kickLocked(s)
		}
	}
}
