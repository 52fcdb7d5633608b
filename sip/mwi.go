package sip

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	gosip "github.com/emiago/sipgo/sip"
)

// The MWI subscriber watches voicemail boxes for the indoor-unit role: one message-summary
// subscription (RFC 3842) per [sip.events] mwi entry, through the registrar holding the
// first account's binding (straight to the box without an account). After a failover it
// subscribes afresh there: the dialog's route set leads to the other registrar. The
// subscription left behind is ended with Expires: 0, or, where that registrar is gone,
// expires or ends at our 481 to its next NOTIFY. Each change of a box reaches Events as
// MessageWaiting.

const mwiExpires = time.Hour

type mwiSub struct {
	u     *UA
	box   gosip.Uri
	name  string // the configured entry, reported as MWI.Account
	acct  *Account
	at    int           // the index into the registration's regs the dialog goes through
	moved chan struct{} // the account's binding moved to another registrar

	order sync.Mutex // serialises NOTIFY handling, so events keep the server's order

	mu          sync.Mutex
	callID      string
	localTag    string
	remoteTag   string
	cseq        uint32
	routeSet    []string
	target      gosip.Uri
	established bool
	last        MWI
	reported    bool
	ended       chan struct{} // the server ended the subscription: subscribe again
}

func newMWISub(u *UA, entry string) *mwiSub {
	var box gosip.Uri
	_ = gosip.ParseUri(entry, &box) // validated with the config
	m := &mwiSub{u: u, box: box, name: entry, ended: make(chan struct{}, 1), moved: make(chan struct{}, 1)}
	if len(u.cfg.Accounts) > 0 {
		a := u.cfg.Accounts[0]
		m.acct = &a
	}
	return m
}

// known reports whether callID is one of the MWI dialogs (the scanner defence admits
// their NOTIFYs).
func (u *UA) mwiKnown(callID string) bool {
	for _, m := range u.mwi {
		m.mu.Lock()
		ok := m.callID == callID
		m.mu.Unlock()
		if ok {
			return true
		}
	}
	return false
}

func (m *mwiSub) registrarMoved() { kick(m.moved) }

// follow points the subscription at the registrar holding the first account's binding; a
// move forgets the dialog (its route set leads to the other registrar), so the next
// SUBSCRIBE starts a new one there. It reports whether the target changed.
func (m *mwiSub) follow() bool {
	if m.acct == nil || len(m.u.regs) == 0 || len(m.u.regs[0].regs) == 0 {
		return false
	}
	r := m.u.regs[0]
	i := r.boundIndex()
	m.mu.Lock()
	same := i == m.at
	m.mu.Unlock()
	if !same {
		// End the dialog at the registrar we leave (bounded: after a failover it is gone).
		m.unsubscribe()
	}
	m.mu.Lock()
	if !same {
		m.at = i
		a := r.accountAt(i)
		m.acct = &a
	}
	m.mu.Unlock()
	if !same {
		m.u.log.Info("sip: MWI subscription follows the registration", "box", m.name, "registrar", r.registrarName(i))
		m.reset()
	}
	return !same
}

func (m *mwiSub) run(ctx context.Context) {
	refresher{
		clk:    m.u.clk,
		kick:   m.ended,
		moved:  m.moved,
		follow: m.follow,
		send:   func(ctx context.Context) (time.Duration, error) { return m.subscribe(ctx, mwiExpires) },
		failed: func(retry time.Duration, err error) {
			m.u.log.Warn("sip: MWI subscription failed", "box", m.name, "retry_in", retry.Round(time.Second), "err", err)
		},
		end: m.unsubscribe,
	}.run(ctx)
}

// subscribe sends a SUBSCRIBE (inside the dialog once there is one) and follows 401/407,
// 423 and a 481 on a refresh; it returns the Expires granted.
func (m *mwiSub) subscribe(ctx context.Context, expires time.Duration) (time.Duration, error) {
	u := m.u
	var challenge *gosip.Response
	auths, retries := 0, 0
	for {
		req, dest := m.request(expires)
		m.mu.Lock()
		acct := m.acct
		m.mu.Unlock()
		if challenge != nil && acct != nil {
			if err := applyDigest(req, challenge, acct); err != nil {
				return 0, err
			}
		}
		rctx, cancel := context.WithTimeout(ctx, pubTimeout)
		res, err := u.do(rctx, req)
		cancel()
		if err != nil {
			return 0, fmt.Errorf("sip: SUBSCRIBE %s: %w", dest, err)
		}
		switch code := res.StatusCode; {
		case (code == 401 || code == 407) && acct != nil && auths < 2 && acct.Password != "":
			auths++
			challenge = res
			continue
		case (code == 481 || code == 408) && retries < 2:
			// The server forgot the dialog: start a new subscription.
			retries++
			m.reset()
			challenge = nil
			continue
		case code == 423 && retries < 2:
			retries++
			if d, ok := minExpires(res); ok {
				expires = d
				continue
			}
			return 0, fmt.Errorf("%w: SUBSCRIBE: 423 without Min-Expires", ErrRejected)
		case res.IsSuccess():
			m.mu.Lock()
			if !m.established {
				m.established = true
				if tag, ok := res.To().Params.Get("tag"); ok && tag != "" {
					m.remoteTag = tag
				}
				if c := res.Contact(); c != nil {
					m.target = c.Address
				}
				rr := res.GetHeaders("Record-Route")
				m.routeSet = m.routeSet[:0]
				for i := len(rr) - 1; i >= 0; i-- {
					m.routeSet = append(m.routeSet, rr[i].Value())
				}
			}
			m.mu.Unlock()
			granted := expires
			if eh := res.GetHeader("Expires"); eh != nil {
				if n, err := strconv.Atoi(strings.TrimSpace(eh.Value())); err == nil {
					granted = time.Duration(n) * time.Second
				}
			}
			if granted <= 0 && expires > 0 {
				granted = mwiExpires / 60 // a server granting nothing is asked again in a minute
			}
			return granted, nil
		default:
			m.reset()
			return 0, fmt.Errorf("%w: SUBSCRIBE: %d %s", ErrRejected, code, res.Reason)
		}
	}
}

// reset forgets the dialog; the next SUBSCRIBE starts a new one.
func (m *mwiSub) reset() {
	m.mu.Lock()
	m.established = false
	m.callID = ""
	m.mu.Unlock()
}

// request builds the next SUBSCRIBE and says where it goes.
func (m *mwiSub) request(expires time.Duration) (*gosip.Request, string) {
	u := m.u
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.established && m.callID == "" {
		m.callID = gosip.GenerateTagN(24)
		m.localTag = gosip.GenerateTagN(16)
		m.remoteTag = ""
		m.cseq = randCSeq()
		m.target = m.box
		m.routeSet = nil
	}
	ruri := m.box
	if m.established {
		ruri = m.target
	}
	req := gosip.NewRequest(gosip.SUBSCRIBE, ruri)
	for _, r := range m.routeSet {
		req.AppendHeader(gosip.NewHeader("Route", r))
	}
	var dest, transport, user string
	var fromURI gosip.Uri
	if m.acct != nil {
		transport, dest = u.proxyTransport(context.Background(), u.registrarAt(m.at, m.acct.Registrar))
		user = m.acct.User
		fromURI = gosip.Uri{Scheme: "sip", User: user, Host: accountDomain(*m.acct)}
	} else {
		transport = u.transportFor(m.box)
		dest = destOf(m.box)
		user = "door"
		fromURI = gosip.Uri{Scheme: "sip", User: user, Host: uriHost(u.localIP(dest))}
	}
	if m.established && len(m.routeSet) > 0 {
		if r := req.Route(); r != nil {
			dest = destOf(r.Address)
		}
	} else if m.established && m.acct == nil {
		dest = destOf(m.target)
	}
	from := &gosip.FromHeader{DisplayName: u.cfg.DisplayName, Address: fromURI, Params: gosip.NewParams()}
	from.Params.Add("tag", m.localTag)
	to := &gosip.ToHeader{Address: m.box, Params: gosip.NewParams()}
	if m.remoteTag != "" {
		to.Params.Add("tag", m.remoteTag)
	}
	callID := gosip.CallIDHeader(m.callID)
	m.cseq++
	req.AppendHeader(from)
	req.AppendHeader(to)
	req.AppendHeader(&callID)
	req.AppendHeader(&gosip.CSeqHeader{SeqNo: m.cseq, MethodName: gosip.SUBSCRIBE})
	req.AppendHeader(u.contactFor(user, transport, dest))
	req.AppendHeader(gosip.NewHeader("Event", "message-summary"))
	req.AppendHeader(gosip.NewHeader("Accept", "application/simple-message-summary"))
	eh := gosip.ExpiresHeader(uint32(expires / time.Second))
	req.AppendHeader(&eh)
	u.prepare(req, transport, dest)
	return req, dest
}

// unsubscribe ends the subscription (Expires: 0), bounded by shutdownGrace.
func (m *mwiSub) unsubscribe() {
	m.mu.Lock()
	ok := m.established
	m.mu.Unlock()
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	req, _ := m.request(0)
	if _, err := m.u.do(ctx, req); err != nil {
		m.u.log.Debug("sip: MWI unsubscribe", "box", m.name, "err", err)
	}
}

// onNotify takes a NOTIFY of this subscription (matched by Call-ID and our tag); it reports
// whether it did.
func (m *mwiSub) onNotify(req *gosip.Request, tx gosip.ServerTransaction) bool {
	u := m.u
	toTag, _ := req.To().Params.Get("tag")
	fromTag, _ := req.From().Params.Get("tag")
	m.mu.Lock()
	if m.callID == "" || req.CallID().Value() != m.callID || toTag != m.localTag {
		m.mu.Unlock()
		return false
	}
	if m.remoteTag == "" {
		m.remoteTag = fromTag // the NOTIFY overtook the 200
	}
	m.mu.Unlock()
	name, _, _ := eventHeader(req)
	if name != "message-summary" {
		u.respond(tx, req, 489, "Bad Event", nil, gosip.NewHeader("Allow-Events", "message-summary"))
		return true
	}
	state := strings.ToLower(strings.TrimSpace(header(req, "Subscription-State")))
	var mwi MWI
	var err error
	if len(req.Body()) > 0 {
		mwi, err = parseMessageSummary(req.Body())
	}
	if err != nil {
		u.respond(tx, req, 400, "Bad message-summary", nil)
		return true
	}
	// The 200 goes out before the event, and order holds the next NOTIFY (which the server
	// sends only after that 200) until this one is reported: events keep the server's order.
	m.order.Lock()
	defer m.order.Unlock()
	u.respond(tx, req, 200, "OK", nil)
	if len(req.Body()) > 0 {
		mwi.Account = m.name
		m.mu.Lock()
		changed := !m.reported || mwi != m.last
		m.last, m.reported = mwi, true
		m.mu.Unlock()
		if changed {
			u.log.Info("sip: message waiting", "box", m.name, "waiting", mwi.Waiting, "new", mwi.New, "old", mwi.Old)
			u.emit(Event{Kind: MessageWaiting, MWI: mwi})
		}
	}
	if strings.HasPrefix(state, "terminated") {
		m.reset()
		select {
		case m.ended <- struct{}{}:
		default:
		}
	}
	return true
}

func header(m interface{ GetHeader(string) gosip.Header }, name string) string {
	if h := m.GetHeader(name); h != nil {
		return h.Value()
	}
	return ""
}
