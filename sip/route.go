package sip

import (
	"context"
	"strings"

	gosip "github.com/emiago/sipgo/sip"
)

// boundIndex is the index into regs of the registrar holding the account's binding (the one
// that last answered 200), or of the one the next REGISTER goes to before any has.
func (r *registration) boundIndex() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.at >= 0 {
		return r.at
	}
	return r.cur
}

// registrarAt is the first account's registrar regs[at], or fallback parsed when there is
// no such registration (MWI and PUBLISH before the registration has one).
func (u *UA) registrarAt(at int, fallback string) URI {
	if len(u.regs) > 0 && at >= 0 && at < len(u.regs[0].regs) {
		return u.regs[0].regs[at]
	}
	reg, _ := ParseURI(fallback)
	return reg
}

// bound is regs[boundIndex()].
func (r *registration) bound() URI { return r.regs[r.boundIndex()] }

// domainAt is the AOR domain while registered at regs[i]: the configured domain, else that
// registrar's host (a backup PBX at another address knows its users under its own name).
func (r *registration) domainAt(i int) string {
	if r.acct.Domain != "" {
		return r.acct.Domain
	}
	return r.regs[i].Host
}

// accountAt is the account as registered at regs[i]: Domain filled in with domainAt(i), and
// at the backup its own credentials where the config gives them.
func (r *registration) accountAt(i int) Account {
	a := r.acct
	a.Domain = r.domainAt(i)
	if i > 0 {
		if a.BackupUser != "" {
			a.User, a.AuthUser = a.BackupUser, a.BackupAuthUser
		} else if a.BackupAuthUser != "" {
			a.AuthUser = a.BackupAuthUser
		}
		if a.BackupPassword != "" {
			a.Password = a.BackupPassword
		}
	}
	return a
}

// route is how an out-of-dialog request of ours leaves: with acct (Domain filled in with
// the domain in use) through reg; userless when acct is nil.
type route struct {
	acct *Account
	reg  URI
	// from/to: a target naming the primary registrar's host is the PBX's user; while the
	// backup (another host, no configured domain) holds the binding it is asked for there.
	from, to URI
}

// outbound picks the route for an INVITE or MESSAGE: the first account, in config order,
// that is registered, through the registrar holding its binding, so that after a failover
// to the backup registrar calls follow it (the primary is down, and a backup PBX would not
// take calls for a user registered elsewhere) and after fail-back they return to the
// primary. With none registered, the first account through the registrar it last
// registered at (or its primary).
func (u *UA) outbound() route {
	if len(u.regs) == 0 {
		return route{}
	}
	pick := u.regs[0]
	for _, r := range u.regs {
		r.mu.Lock()
		ok := r.state.State == Registered && len(r.regs) > 0
		r.mu.Unlock()
		if ok {
			pick = r
			break
		}
	}
	if len(pick.regs) == 0 {
		a := pick.acct
		reg, _ := ParseURI(a.Registrar)
		return route{acct: &a, reg: reg}
	}
	i := pick.boundIndex()
	a := pick.accountAt(i)
	rt := route{acct: &a, reg: pick.regs[i]}
	if pick.acct.Domain == "" && i != 0 && pick.regs[0].Host != rt.reg.Host {
		rt.from, rt.to = pick.regs[0], rt.reg
	}
	return rt
}

// retarget moves a Request-URI naming the primary registrar's host to the backup in use.
func (rt route) retarget(ruri *gosip.Uri) {
	if rt.from.Host == "" || !strings.EqualFold(ruri.Host, rt.from.Host) {
		return
	}
	if ruri.Port != 0 && ruri.Port != rt.from.Port {
		return // another service on that host
	}
	ruri.Host, ruri.Port = rt.to.Host, rt.to.Port
}

// proxyTransport is the transport (upper case) and address for requests sent through reg.
func (u *UA) proxyTransport(ctx context.Context, reg URI) (transport, dest string) {
	transport = u.transportFor(gosip.Uri{Scheme: reg.Scheme})
	if reg.Transport != "" {
		transport = strings.ToUpper(reg.Transport)
	}
	return transport, u.serverAddr(ctx, reg, transport)
}

// registrarMoved tells the publisher and the MWI subscribers that the first account's
// binding moved; they look at boundIndex themselves, so a spurious call costs nothing.
func (u *UA) registrarMoved(r *registration) {
	if len(u.regs) == 0 || u.regs[0] != r {
		return
	}
	if u.pub != nil {
		u.pub.registrarMoved()
	}
	for _, m := range u.mwi {
		m.registrarMoved()
	}
}

// kick is a non-blocking send on a wake-up channel of capacity 1.
func kick(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}
