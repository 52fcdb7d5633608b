package sip

import (
	"context"
	"sync"

	gosip "github.com/emiago/sipgo/sip"
)

// Registrar probing. A refresh at half the granted time notices a lost link or a
// restarted registrar only when it falls due, and a backoff grown during a long outage waits
// minutes after the link is back. So every keepalive interval we send an OPTIONS for our own
// AOR through the registrar: while it knows us it forwards the OPTIONS to our Contact and we
// answer 200 ourselves; a registrar that lost its location table (restart) answers 404 or
// 480; one we cannot reach does not answer at all.

// probeAction is what a probe's outcome asks of the registration loop.
type probeAction int

const (
	probeKeep     probeAction = iota // nothing to do
	probeRegister                    // REGISTER now
)

// probeResult is one probe's outcome: the final status, or err when none came.
type probeResult struct {
	code int
	err  error
}

// prober runs at most one probe at a time for a registration's wait loop and owns its
// goroutine: stop cancels it and waits for it.
type prober struct {
	r       *registration
	results chan probeResult
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	failed  bool // a probe went unanswered since this wait began
}

func newProber(r *registration) *prober {
	return &prober{r: r, results: make(chan probeResult, 1)}
}

// busy reports whether a probe is in flight.
func (p *prober) busy() bool { return p.cancel != nil }

// start sends a probe; the caller ends the previous one first.
func (p *prober) start(ctx context.Context) {
	pctx, cancel := context.WithCancel(ctx)
	p.cancel = cancel
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		code, err := p.r.probe(pctx)
		p.results <- probeResult{code: code, err: err}
	}()
}

// wait cancels the probe in flight, waits for its goroutine and returns the channel that
// holds its result.
func (p *prober) wait() <-chan probeResult {
	p.cancel()
	p.wg.Wait()
	return p.results
}

// finish notes a result taken from results and forgets the probe.
func (p *prober) finish(res probeResult) probeResult {
	if p.cancel != nil {
		p.cancel()
		p.wg.Wait()
		p.cancel = nil
	}
	if res.err != nil {
		p.failed = true
	}
	return res
}

// stop ends the probe in flight, if any, and discards its result.
func (p *prober) stop() {
	if p.cancel != nil {
		<-p.wait()
		p.cancel = nil
	}
}

// judge decides on an answered probe. registered is false while backing off after a
// REGISTER that got no answer: any answer then means the registrar is back.
func (p *prober) judge(res probeResult, registered bool) probeAction {
	r := p.r
	u := r.ua
	if res.err != nil {
		u.log.Debug("sip: registrar probe unanswered", "account", r.acct.ID, "err", res.err)
		return probeKeep
	}
	u.log.Debug("sip: registrar probe answered", "account", r.acct.ID, "code", res.code)
	if !registered {
		u.log.Info("sip: registrar answers again, registering", "account", r.acct.ID, "code", res.code)
		return probeRegister
	}
	if p.failed {
		u.log.Info("sip: registrar reachable again, registering", "account", r.acct.ID, "code", res.code)
		return probeRegister
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	unknown := res.code == 404 || res.code == 410 || res.code == 480
	switch {
	case !unknown:
		r.probeReregistered = false
	case r.probeIgnoresAOR:
	case r.probeReregistered:
		// We registered because of this answer and get it again at once: this registrar
		// does not route OPTIONS to its users. Stop trusting it rather than re-register at
		// every keepalive; probes still detect an unreachable registrar.
		r.probeIgnoresAOR = true
		u.log.Info("sip: registrar answers OPTIONS for our AOR with a failure while we are registered; probes only check reachability",
			"account", r.acct.ID, "code", res.code)
	default:
		r.probeReregistered = true
		u.log.Info("sip: registrar does not know us, registering again", "account", r.acct.ID, "code", res.code)
		return probeRegister
	}
	return probeKeep
}

// probe sends one OPTIONS for our AOR to the registrar holding our binding and returns the
// final status.
func (r *registration) probe(ctx context.Context) (int, error) {
	u := r.ua
	i := r.boundIndex()
	reg := r.regs[i]
	transport, dest := u.proxyTransport(ctx, reg)
	acct := r.accountAt(i)
	domain := acct.Domain
	aor := gosip.Uri{Scheme: "sip", User: acct.User, Host: domain}
	ruri := aor
	if reg.Port != 0 && domain == reg.Host {
		ruri.Port = reg.Port
	}
	req := gosip.NewRequest(gosip.OPTIONS, ruri)
	from := &gosip.FromHeader{DisplayName: u.cfg.DisplayName, Address: aor, Params: gosip.NewParams()}
	from.Params.Add("tag", gosip.GenerateTagN(16))
	callID := gosip.CallIDHeader(gosip.GenerateTagN(24))
	req.AppendHeader(from)
	req.AppendHeader(&gosip.ToHeader{Address: aor})
	req.AppendHeader(&callID)
	req.AppendHeader(&gosip.CSeqHeader{SeqNo: 1, MethodName: gosip.OPTIONS})
	u.prepare(req, transport, dest)
	res, err := u.do(ctx, req)
	if err != nil {
		return 0, err
	}
	return res.StatusCode, nil
}
