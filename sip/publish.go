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

// The publisher sends the door's presence (RFC 3903) to the registrar holding the first
// account's binding; after a failover or fail-back it starts afresh there, since that server
// never saw our entity tag, and withdraws the publication left behind (where that registrar
// is gone it expires on its own). A refresh carries only SIP-If-Match, a change the new PIDF
// too; a 412 starts over.

// pubTimeout bounds one PUBLISH transaction; failures retry with backoff.
const pubTimeout = 10 * time.Second

type publisher struct {
	u       *UA
	acct    Account
	expires time.Duration

	mu      sync.Mutex
	state   DoorState
	status  PublishStatus
	changed chan struct{}
	moved   chan struct{} // the account's binding moved to another registrar

	// Owned by run: where the publication lives (an index into the registration's regs)
	// and the account as known there.
	at     int
	atAcct Account
	atName string // the registrar as configured

	// Owned by run.
	etag     string
	cseq     uint32
	callID   string
	sent     DoorState // the state the server holds
	haveSent bool
}

// PublishStatus is where the door's PUBLISH stands.
type PublishStatus struct {
	ETag    string        // the entity tag the server gave; "" when nothing is published
	Expires time.Duration // what the server granted
	Count   int           // PUBLISHes answered 2xx
	// Registrar is where the publication lives: the account's registrar or its backup.
	Registrar string
}

// Published reports the PUBLISH state; ok is false when [sip.events] publish is off.
func (u *UA) Published() (PublishStatus, bool) {
	if u.pub == nil {
		return PublishStatus{}, false
	}
	u.pub.mu.Lock()
	defer u.pub.mu.Unlock()
	return u.pub.status, true
}

func newPublisher(u *UA, acct Account, expires time.Duration) *publisher {
	return &publisher{
		u: u, acct: acct, expires: expires,
		changed: make(chan struct{}, 1),
		moved:   make(chan struct{}, 1),
		at:      -1,
		callID:  gosip.GenerateTagN(24),
		cseq:    randCSeq(),
	}
}

func (p *publisher) setState(s DoorState) {
	p.mu.Lock()
	same := s == p.state
	p.state = s
	p.mu.Unlock()
	if !same {
		kick(p.changed)
	}
}

func (p *publisher) registrarMoved() { kick(p.moved) }

// follow points the publication at the registrar holding the account's binding; a move
// drops the entity tag, so the next PUBLISH there carries the document without If-Match.
// It reports whether the target changed.
func (p *publisher) follow() bool {
	if len(p.u.regs) == 0 || len(p.u.regs[0].regs) == 0 {
		if p.at < 0 {
			p.at, p.atAcct, p.atName = 0, p.acct, p.acct.Registrar
		}
		return false
	}
	r := p.u.regs[0]
	i := r.boundIndex()
	if i == p.at {
		return false
	}
	if p.at >= 0 {
		p.u.log.Info("sip: PUBLISH follows the registration", "account", p.acct.ID, "registrar", r.registrarName(i))
		// Withdraw at the registrar we leave (bounded: after a failover it is gone), so its
		// watchers do not see a stale state until the publication expires.
		expires := p.expires
		p.withdraw()
		p.expires = expires
	}
	p.at, p.atAcct, p.atName = i, r.accountAt(i), r.registrarName(i)
	p.etag, p.haveSent = "", false
	return true
}

// run publishes until ctx ends, then withdraws the publication.
func (p *publisher) run(ctx context.Context) {
	refresher{
		clk:    p.u.clk,
		kick:   p.changed,
		moved:  p.moved,
		follow: p.follow,
		send: func(ctx context.Context) (time.Duration, error) {
			p.mu.Lock()
			st := p.state
			p.mu.Unlock()
			// Only the state the server already holds is refreshed without a body.
			granted, err := p.publish(ctx, st, p.etag != "" && p.haveSent && st == p.sent)
			if err == nil {
				p.sent, p.haveSent = st, true
			}
			return granted, err
		},
		sent: func(granted time.Duration) {
			p.mu.Lock()
			p.status.ETag, p.status.Expires = p.etag, granted
			p.status.Registrar = p.atName
			p.status.Count++
			p.mu.Unlock()
		},
		failed: func(retry time.Duration, err error) {
			p.u.log.Warn("sip: PUBLISH failed", "account", p.acct.ID, "retry_in", retry.Round(time.Second), "err", err)
		},
		end: p.withdraw,
	}.run(ctx)
}

// publish sends one PUBLISH (refresh: no body) and follows 401/407, 412 and 423; it returns
// the Expires granted.
func (p *publisher) publish(ctx context.Context, st DoorState, refresh bool) (time.Duration, error) {
	u := p.u
	reg := u.registrarAt(p.at, p.acct.Registrar)
	acct := p.atAcct
	transport, dest := u.proxyTransport(ctx, reg)
	expires := p.expires
	var challenge *gosip.Response
	auths, retries := 0, 0
	for {
		req := p.request(st, refresh, expires, transport, dest)
		if challenge != nil {
			if err := applyDigest(req, challenge, &acct); err != nil {
				return 0, err
			}
		}
		rctx, cancel := context.WithTimeout(ctx, pubTimeout)
		res, err := u.do(rctx, req)
		cancel()
		if err != nil {
			return 0, fmt.Errorf("sip: PUBLISH %s: %w", dest, err)
		}
		switch code := res.StatusCode; {
		case code == 401 || code == 407:
			if auths >= 2 || acct.Password == "" {
				return 0, fmt.Errorf("%w: PUBLISH: %d %s", ErrAuth, code, res.Reason)
			}
			auths++
			challenge = res
			continue
		case code == 412 && retries < 2:
			// RFC 3903 section 6: the server no longer knows our entity tag.
			retries++
			p.etag, refresh = "", false
			continue
		case code == 423 && retries < 2:
			retries++
			if d, ok := minExpires(res); ok {
				expires = d
				continue
			}
			return 0, fmt.Errorf("%w: PUBLISH: 423 without Min-Expires", ErrRejected)
		case res.IsSuccess():
			h := res.GetHeader("SIP-ETag")
			if h == nil || strings.TrimSpace(h.Value()) == "" {
				return 0, fmt.Errorf("%w: PUBLISH: 2xx without SIP-ETag", ErrRejected)
			}
			p.etag = strings.TrimSpace(h.Value())
			granted := expires
			if eh := res.GetHeader("Expires"); eh != nil {
				if n, err := strconv.Atoi(strings.TrimSpace(eh.Value())); err == nil && n > 0 {
					granted = time.Duration(n) * time.Second
				}
			}
			u.log.Debug("sip: published", "account", p.acct.ID, "etag", p.etag, "expires", granted, "refresh", refresh)
			return granted, nil
		default:
			return 0, fmt.Errorf("%w: PUBLISH: %d %s", ErrRejected, code, res.Reason)
		}
	}
}

// request builds a PUBLISH for the account's AOR.
func (p *publisher) request(st DoorState, refresh bool, expires time.Duration, transport, dest string) *gosip.Request {
	u := p.u
	aor := gosip.Uri{Scheme: "sip", User: p.atAcct.User, Host: accountDomain(p.atAcct)}
	req := gosip.NewRequest(gosip.PUBLISH, aor)
	from := &gosip.FromHeader{DisplayName: u.cfg.DisplayName, Address: aor, Params: gosip.NewParams()}
	from.Params.Add("tag", gosip.GenerateTagN(16))
	callID := gosip.CallIDHeader(p.callID)
	p.cseq++
	req.AppendHeader(from)
	req.AppendHeader(&gosip.ToHeader{Address: aor})
	req.AppendHeader(&callID)
	req.AppendHeader(&gosip.CSeqHeader{SeqNo: p.cseq, MethodName: gosip.PUBLISH})
	req.AppendHeader(gosip.NewHeader("Event", "presence"))
	eh := gosip.ExpiresHeader(uint32(expires / time.Second))
	req.AppendHeader(&eh)
	if p.etag != "" {
		req.AppendHeader(gosip.NewHeader("SIP-If-Match", p.etag))
	}
	if !refresh && expires > 0 {
		req.AppendHeader(gosip.NewHeader("Content-Type", "application/pidf+xml"))
		req.SetBody(buildPIDF(st, aor.String()))
	}
	u.prepare(req, transport, dest)
	return req
}

// withdraw removes the publication (Expires: 0), bounded by shutdownGrace.
func (p *publisher) withdraw() {
	if p.etag == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	p.expires = 0
	if _, err := p.publish(ctx, p.sent, true); err != nil {
		p.u.log.Debug("sip: PUBLISH withdraw", "err", err)
	}
	p.etag = ""
	p.mu.Lock()
	p.status.ETag, p.status.Registrar = "", ""
	p.mu.Unlock()
}
