package sip

import (
	"net/netip"
	"strings"

	gosip "github.com/emiago/sipgo/sip"
)

// Origin is where an incoming call's INVITE came from: what a trust decision needs beyond
// the From URI, which anyone on the network can write.
type Origin struct {
	// Source is the INVITE's packet source address (invalid for outgoing calls).
	Source netip.Addr
	// FromRegistrar: Source is a registrar's address (a literal registrar, or where the
	// last registration went).
	FromRegistrar bool
	// Trusted: Source is in [sip.scanner] trusted (a PBX that sends calls from other
	// addresses than it registers at goes there).
	Trusted bool
	// ForAccount: the Request-URI names one of our accounts' users, i.e. the call claims to
	// come through a registration.
	ForAccount bool
	// FromHost is the From URI's host as written (an IP literal without brackets).
	FromHost string
}

// Origin reports where an incoming call came from.
func (c *Call) Origin() Origin {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.origin
}

// originOf records req's origin (onInvite, before the call is announced).
func (u *UA) originOf(req *gosip.Request) Origin {
	var o Origin
	if ap, err := netip.ParseAddrPort(req.Source()); err == nil {
		o.Source = ap.Addr().Unmap()
		o.FromRegistrar = u.isRegistrar(o.Source)
		o.Trusted = u.scan.isTrusted(o.Source)
	}
	for _, a := range u.cfg.Accounts {
		if a.User != "" && a.User == req.Recipient.User {
			o.ForAccount = true
		}
	}
	if f := req.From(); f != nil {
		o.FromHost = strings.Trim(f.Address.Host, "[]")
	}
	return o
}
