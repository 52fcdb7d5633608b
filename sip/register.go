package sip

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	gosip "github.com/emiago/sipgo/sip"

	"github.com/doorsip/intercom/internal/clock"
)

// Registration timing.
const (
	regBackoffBase = 2 * time.Second
	regBackoffMax  = 5 * time.Minute
	regMinRefresh  = 5 * time.Second
	// regTimeout bounds one REGISTER exchange (sipgo's Timer F is 32 s with default T1).
	regTimeout = 40 * time.Second
	// unregTimeout bounds the Expires: 0 on shutdown, so a dead registrar cannot hold Run.
	unregTimeout = 2 * time.Second
)

var (
	errNoBinding = errors.New("sip: registrar kept no binding")
	// errNoAnswer marks a REGISTER that got no final response (link down, registrar gone).
	errNoAnswer = errors.New("sip: registrar did not answer")
)

// registration keeps one account registered (RFC 3261 section 10).
type registration struct {
	ua   *UA
	acct Account
	regs []URI // primary, then backup

	mu     sync.Mutex
	state  RegState
	callID string
	cseq   uint32
	cur    int                  // index into regs the next REGISTER goes to
	at     int                  // index into regs holding our binding (last 200), -1 before any
	nat    string               // host:port the registrar saw us as (Via received/rport), if it differs
	local  netip.Addr           // our address toward the registrar when we last registered
	dest   string               // the registrar's address when we last registered
	stale  *gosip.ContactHeader // a Contact to remove (expires=0) with the next REGISTER

	// probeReregistered: the last REGISTER was caused by a probe saying the registrar does
	// not know us. probeIgnoresAOR: that answer came again right after, so this registrar
	// does not route OPTIONS to its users and such answers are ignored (probe.go).
	probeReregistered bool
	probeIgnoresAOR   bool
}

func newRegistration(u *UA, a Account) *registration {
	r := &registration{
		ua:     u,
		acct:   a,
		callID: gosip.GenerateTagN(24),
		cseq:   randCSeq(),
		state:  RegState{Account: a.ID, State: Unregistered},
		at:     -1,
	}
	if p, err := ParseURI(a.Registrar); err == nil {
		r.regs = append(r.regs, p)
	}
	if p, err := ParseURI(a.BackupRegistrar); err == nil && a.BackupRegistrar != "" {
		r.regs = append(r.regs, p)
	}
	return r
}

// registrarName is regs[i] as configured.
func (r *registration) registrarName(i int) string {
	if i == 0 {
		return r.acct.Registrar
	}
	return r.acct.BackupRegistrar
}

// Registrations reports every account's state, in config order.
func (u *UA) Registrations() []RegState {
	out := make([]RegState, 0, len(u.regs))
	for _, r := range u.regs {
		r.mu.Lock()
		out = append(out, r.state)
		r.mu.Unlock()
	}
	return out
}

// run registers, refreshes at half the granted time, backs off on failure (alternating to
// the backup registrar if there is one) and unregisters when ctx ends.
func (r *registration) run(ctx context.Context) {
	u := r.ua
	bo := clock.NewBackoff(regBackoffBase, regBackoffMax)
	expires := r.acct.Expires
	for {
		granted, err := r.register(ctx, expires)
		var wait time.Duration
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			wait = bo.Next()
			u.log.Warn("sip: register failed", "account", r.acct.ID, "err", err, "retry", wait)
			if len(r.regs) > 1 {
				r.mu.Lock()
				r.cur = (r.cur + 1) % len(r.regs)
				r.mu.Unlock()
			}
		} else {
			bo.Reset()
			wait = max(granted/2, regMinRefresh)
			if r.cur != 0 {
				// On the backup: try the primary again at the next refresh (fail-back).
				r.mu.Lock()
				r.cur = 0
				r.mu.Unlock()
			}
		}
		// Probing while backing off only after no answer: a registrar that refuses us (401,
		// 403, 503) answers OPTIONS too and would be hammered with REGISTERs.
		if !r.wait(ctx, wait, err == nil, errors.Is(err, errNoAnswer)) {
			break
		}
	}
	r.mu.Lock()
	registered := r.state.State == Registered
	if r.at >= 0 {
		r.cur = r.at // the binding to remove is where it was made, not where fail-back would go
	}
	r.mu.Unlock()
	if registered {
		uctx, cancel := context.WithTimeout(context.Background(), unregTimeout)
		_, err := r.register(uctx, 0)
		cancel()
		if err != nil {
			u.log.Warn("sip: unregister", "account", r.acct.ID, "err", err)
		}
	}
	r.setState(RegState{Account: r.acct.ID, State: Unregistered, Reason: "stopped"})
}

// wait sleeps d on the injected clock and reports false when ctx ended. Every cfg.Keepalive
// it sends a double CRLF (RFC 5626 section 3.5.1) to keep the NAT binding open, and probes
// the registrar (probe.go); it returns early, to REGISTER at once, when a probe or a new
// local address says the binding is lost. With probe set (backing off after an unanswered
// REGISTER) it probes too, so a long backoff does not delay re-registration after an outage.
func (r *registration) wait(ctx context.Context, d time.Duration, registered, probe bool) bool {
	u := r.ua
	t := u.clk.NewTimer(d)
	defer t.Stop()
	var tick <-chan time.Time
	if (registered || probe) && u.cfg.Keepalive > 0 {
		k := u.clk.NewTicker(u.cfg.Keepalive)
		defer k.Stop()
		tick = k.C()
	}
	p := newProber(r)
	defer p.stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-t.C():
			return true
		case res := <-p.results:
			if p.judge(p.finish(res), registered) == probeRegister {
				return true
			}
		case <-tick:
			if registered {
				if r.localChanged() {
					u.log.Info("sip: local address changed, registering again", "account", r.acct.ID)
					return true
				}
				r.keepalive()
			}
			if p.busy() {
				// Unanswered for a whole keepalive interval (its timeout, on our clock).
				if p.judge(p.finish(<-p.wait()), registered) == probeRegister {
					return true
				}
			}
			p.start(ctx)
		}
	}
}

// localChanged reports whether the route to the registrar now leaves from another address
// (DHCP renewal, Wi-Fi roaming): the binding we registered points nowhere.
func (r *registration) localChanged() bool {
	r.mu.Lock()
	local, dest := r.local, r.dest
	r.mu.Unlock()
	if !local.IsValid() || dest == "" {
		return false
	}
	return r.ua.localIP(dest) != local
}

// keepalive sends a double CRLF to the registrar from the listening socket.
func (r *registration) keepalive() {
	reg := r.bound()
	transport := reg.Transport
	if transport == "" {
		transport = strings.ToLower(r.ua.transportFor(gosip.Uri{Scheme: reg.Scheme}))
	}
	if transport == "tcp" || transport == "tls" {
		// RFC 5626 section 4.4.1: CRLFCRLF on the connection the registration uses.
		dest := r.ua.serverAddr(context.Background(), reg, transport)
		conn, err := r.ua.gua.TransportLayer().GetConnection(transport, dest)
		if err != nil {
			return
		}
		defer conn.Ref(-1) // GetConnection took a reference
		if w, ok := conn.(io.Writer); ok {
			if _, err := w.Write([]byte("\r\n\r\n")); err != nil {
				r.ua.log.Debug("sip: keepalive", "account", r.acct.ID, "err", err)
			}
		}
		return
	}
	addr, err := net.ResolveUDPAddr("udp", r.ua.serverAddr(context.Background(), reg, "udp"))
	if err != nil {
		return
	}
	if r.ua.udpConn == nil {
		return
	}
	if _, err := r.ua.udpConn.WriteTo([]byte("\r\n\r\n"), addr); err != nil {
		r.ua.log.Debug("sip: keepalive", "account", r.acct.ID, "err", err)
	}
}

func (r *registration) setState(s RegState) {
	r.mu.Lock()
	r.state = s
	r.mu.Unlock()
	r.ua.emit(Event{Kind: Registration, Reg: s, Code: s.Code, Reason: s.Reason})
}

func (r *registration) fail(code int, reason string) {
	r.mu.Lock()
	s := r.state
	r.mu.Unlock()
	s.State, s.Code, s.Reason = Failing, code, reason
	s.Expires = 0
	r.setState(s)
}

// register sends one REGISTER (expires 0 removes our binding), answering digest challenges
// and 423, and returns what the registrar granted.
func (r *registration) register(ctx context.Context, expires time.Duration) (time.Duration, error) {
	u := r.ua
	if len(r.regs) == 0 {
		return 0, fmt.Errorf("sip: account %s: no registrar", r.acct.ID)
	}
	r.mu.Lock()
	idx := r.cur
	reg := r.regs[idx]
	nat := r.nat
	r.mu.Unlock()
	acct := r.accountAt(idx)
	domain := acct.Domain
	transport, dest := u.proxyTransport(ctx, reg)
	aor := gosip.Uri{Scheme: "sip", User: acct.User, Host: domain}
	contact := u.contactFor(acct.User, transport, dest)
	if fixed, ok := u.fixedPublic(); ok {
		applyPublic(contact, fixed)
	} else if nat != "" {
		if h, p, err := gosip.ParseAddr(nat); err == nil {
			contact.Address.Host, contact.Address.Port = h, p
		}
	}
	r.mu.Lock()
	stale := r.stale
	r.stale = nil
	r.mu.Unlock()
	fromTag := gosip.GenerateTagN(16)
	auths, tooBrief := 0, 0
	var challenge *gosip.Response
	for {
		ruri := gosip.Uri{Scheme: "sip", Host: domain}
		if reg.Port != 0 && domain == reg.Host {
			ruri.Port = reg.Port
		}
		req := gosip.NewRequest(gosip.REGISTER, ruri)
		from := &gosip.FromHeader{DisplayName: u.cfg.DisplayName, Address: aor, Params: gosip.NewParams()}
		from.Params.Add("tag", fromTag)
		to := &gosip.ToHeader{Address: aor}
		callID := gosip.CallIDHeader(r.callID)
		r.mu.Lock()
		r.cseq++
		seq := r.cseq
		r.mu.Unlock()
		req.AppendHeader(from)
		req.AppendHeader(to)
		req.AppendHeader(&callID)
		req.AppendHeader(&gosip.CSeqHeader{SeqNo: seq, MethodName: gosip.REGISTER})
		req.AppendHeader(contact.Clone())
		if stale != nil {
			// The binding at our private address, registered before we learned the public
			// one: a registrar keeping it would fork calls to an address it cannot reach.
			old := stale.Clone()
			old.Params = gosip.NewParams()
			old.Params.Add("expires", "0")
			req.AppendHeader(old)
		}
		exp := gosip.ExpiresHeader(uint32(expires / time.Second))
		req.AppendHeader(&exp)
		req.AppendHeader(gosip.NewHeader("Allow", allowMethods))
		u.prepare(req, transport, dest)
		if challenge != nil {
			if err := applyDigest(req, challenge, &acct); err != nil {
				r.fail(challenge.StatusCode, err.Error())
				return 0, err
			}
		}
		rctx, cancel := context.WithTimeout(ctx, regTimeout)
		res, err := u.do(rctx, req)
		cancel()
		if err != nil {
			r.fail(408, err.Error())
			return 0, fmt.Errorf("sip: REGISTER %s: %w: %w", dest, errNoAnswer, err)
		}
		switch code := res.StatusCode; {
		case code == 401 || code == 407:
			if auths >= 2 || acct.Password == "" {
				r.fail(code, res.Reason)
				return 0, fmt.Errorf("%w: REGISTER: %d %s", ErrAuth, code, res.Reason)
			}
			auths++
			challenge = res
			continue
		case code == 423 && tooBrief == 0:
			tooBrief++
			if d, ok := minExpires(res); ok {
				expires = d
				continue
			}
			r.fail(code, res.Reason)
			return 0, fmt.Errorf("sip: REGISTER: 423 without Min-Expires")
		case res.IsSuccess():
			if expires == 0 {
				return 0, nil
			}
			if learned := natAddress(res, req); learned != "" && learned != nat && u.cfg.natMode() == NATAuto {
				// RFC 3581: the registrar saw another address; register that as Contact.
				r.mu.Lock()
				r.nat = learned
				r.stale = contact.Clone()
				r.mu.Unlock()
				u.log.Info("sip: learned public address", "account", r.acct.ID, "addr", learned)
				return r.register(ctx, expires)
			}
			granted := grantedExpires(res, contact, expires)
			if granted <= 0 {
				r.fail(code, "no binding in 200")
				return 0, errNoBinding
			}
			r.mu.Lock()
			moved := r.at != idx
			r.local, r.dest, r.at = u.localIP(dest), dest, idx
			r.mu.Unlock()
			if moved {
				u.registrarMoved(r)
			}
			r.setState(RegState{Account: r.acct.ID, State: Registered, Code: code, Reason: res.Reason,
				Expires: granted, Contact: contact.Address.String(), Registrar: r.registrarName(idx)})
			return granted, nil
		default:
			if code == 403 {
				err := fmt.Errorf("%w: REGISTER: %d %s", ErrAuth, code, res.Reason)
				r.fail(code, res.Reason)
				return 0, err
			}
			r.fail(code, res.Reason)
			return 0, fmt.Errorf("sip: REGISTER: %d %s", code, res.Reason)
		}
	}
}

// natAddress is the received/rport the registrar put in our Via, when it differs from what
// we sent (we are behind NAT); empty otherwise.
func natAddress(res *gosip.Response, req *gosip.Request) string {
	v := res.Via()
	if v == nil {
		return ""
	}
	host, port := v.Host, v.Port
	if h, ok := v.Params.Get("received"); ok && h != "" {
		host = h
	}
	if p, ok := v.Params.Get("rport"); ok && p != "" {
		if n, err := strconv.Atoi(p); err == nil {
			port = n
		}
	}
	sent := req.Via()
	if sent == nil || (host == sent.Host && port == sent.Port) {
		return ""
	}
	addr := gosip.Uri{Host: host, Port: port}
	return addr.HostPort()
}

// grantedExpires reads our binding's expiry from the 200: the expires parameter of the
// Contact matching ours, else the Expires header, else what we asked for.
func grantedExpires(res *gosip.Response, ours *gosip.ContactHeader, asked time.Duration) time.Duration {
	for _, h := range res.GetHeaders("Contact") {
		var uri gosip.Uri
		var params gosip.HeaderParams
		if _, err := gosip.ParseAddressValue(h.Value(), &uri, &params); err != nil {
			continue
		}
		if uri.Host == ours.Address.Host && uri.Port == ours.Address.Port && uri.User == ours.Address.User {
			if v, ok := params.Get("expires"); ok {
				if n, err := strconv.Atoi(v); err == nil {
					return time.Duration(n) * time.Second
				}
			}
		}
	}
	if h := res.GetHeader("Expires"); h != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil {
			return time.Duration(n) * time.Second
		}
	}
	return asked
}
