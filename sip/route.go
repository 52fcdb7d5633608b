package sip

import (
	"context"
	"strings"

	gosip "github.com/emiago/sipgo/sip"
)

// bound is the registrar holding the account's binding (the one that last answered 200),
// or the one the next REGISTER goes to before any has.
func (r *registration) bound() URI {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.at >= 0 {
		return r.regs[r.at]
	}
	return r.regs[r.cur]
}

// outbound is the account and registrar an out-of-dialog request of ours (INVITE, MESSAGE)
// goes through: the first account, in config order, that is registered, through the
// registrar holding its binding, so that after a failover to the backup registrar calls
// follow it (the primary would not find, or not authenticate, a user it no longer has) and
// after fail-back they return to the primary. With none registered, the first account
// through the registrar it last registered at (or its primary). Userless: nil.
func (u *UA) outbound() (*Account, URI) {
	if len(u.regs) == 0 {
		return nil, URI{}
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
	a := pick.acct
	if len(pick.regs) == 0 {
		reg, _ := ParseURI(a.Registrar)
		return &a, reg
	}
	return &a, pick.bound()
}

// proxyTransport is the transport (upper case) and address for requests sent through reg.
func (u *UA) proxyTransport(ctx context.Context, reg URI) (transport, dest string) {
	transport = u.transportFor(gosip.Uri{Scheme: reg.Scheme})
	if reg.Transport != "" {
		transport = strings.ToUpper(reg.Transport)
	}
	return transport, u.serverAddr(ctx, reg, transport)
}
