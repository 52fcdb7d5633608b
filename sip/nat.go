package sip

import (
	"net/netip"
	"strings"

	gosip "github.com/emiago/sipgo/sip"
)

// NAT modes ([sip] nat): how the door names itself to peers it reaches through a router.
const (
	// NATAuto uses the address a registrar saw our REGISTER come from (Via received/rport,
	// RFC 3581) for calls through that account: Contact, and the SDP c=/o= address.
	NATAuto = "auto"
	// NATFixed uses PublicAddress for calls through an account and for peers at public
	// addresses (a router with forwarded ports and a known address).
	NATFixed = "fixed"
	// NATOff always names the local address (a door on the same network as its PBX).
	NATOff = "off"
)

// publicAddr is what a call names instead of our local address when it crosses a NAT: the
// IP goes into Contact and SDP, port is the SIP port the router maps ours to.
type publicAddr struct {
	ip   netip.Addr
	port int
}

func (p publicAddr) valid() bool { return p.ip.IsValid() }

// parsePublic reads "IP" or "IP:port" (the learned received/rport, or [sip] public_address).
func parsePublic(s string, defPort int) (publicAddr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return publicAddr{ip: ap.Addr().Unmap(), port: int(ap.Port())}, true
	}
	if a, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		return publicAddr{ip: a.Unmap(), port: defPort}, true
	}
	return publicAddr{}, false
}

// fixedPublic is [sip] public_address with our UDP port when it names none.
func (u *UA) fixedPublic() (publicAddr, bool) {
	if u.cfg.natMode() != NATFixed {
		return publicAddr{}, false
	}
	u.mu.Lock()
	port := int(u.bound["udp"].Port())
	u.mu.Unlock()
	return parsePublic(u.cfg.PublicAddress, port)
}

// publicFor is the public address of a call through acct (nil: a direct call) whose first
// hop is dest; invalid when the call should name our local address.
func (u *UA) publicFor(acct *Account, dest string) publicAddr {
	switch u.cfg.natMode() {
	case NATFixed:
		p, _ := u.fixedPublic()
		if acct != nil || isPublicHost(dest) {
			return p
		}
	case NATOff:
	default:
		if acct == nil {
			return publicAddr{}
		}
		for _, r := range u.regs {
			if r.acct.ID == acct.ID {
				return r.public()
			}
		}
	}
	return publicAddr{}
}

// publicForIncoming is the public address of an incoming call from src: the learned one
// of the registration whose registrar sent it (auto), or the fixed one.
func (u *UA) publicForIncoming(src string) publicAddr {
	ap, err := netip.ParseAddrPort(src)
	if err != nil {
		return publicAddr{}
	}
	switch u.cfg.natMode() {
	case NATFixed:
		if u.isRegistrar(ap.Addr().Unmap()) {
			p, _ := u.fixedPublic()
			return p
		}
		return u.publicFor(nil, src)
	case NATOff:
		return publicAddr{}
	}
	for _, r := range u.regs {
		if r.sentFrom(ap.Addr().Unmap()) {
			if p := r.public(); p.valid() {
				return p
			}
		}
	}
	return publicAddr{}
}

// public is the address the registrar saw us as, when it differs from ours.
func (r *registration) public() publicAddr {
	r.mu.Lock()
	nat := r.nat
	r.mu.Unlock()
	p, _ := parsePublic(nat, 0)
	return p
}

// sentFrom reports whether src is this registration's registrar (a literal registrar
// host, or where the last REGISTER went).
func (r *registration) sentFrom(src netip.Addr) bool {
	for _, reg := range r.regs {
		if a, err := netip.ParseAddr(strings.Trim(reg.Host, "[]")); err == nil && a.Unmap() == src {
			return true
		}
	}
	r.mu.Lock()
	dest := r.dest
	r.mu.Unlock()
	ap, err := netip.ParseAddrPort(dest)
	return err == nil && ap.Addr().Unmap() == src
}

// isPublicHost reports whether host:port names a globally routable address: a peer there
// reaches us only through our router's public address.
func isPublicHost(hostport string) bool {
	ap, err := netip.ParseAddrPort(hostport)
	if err != nil {
		return false
	}
	a := ap.Addr().Unmap()
	// RFC 6598 shared address space is a carrier's NAT, not a public address.
	cgnat := netip.PrefixFrom(netip.AddrFrom4([4]byte{100, 64, 0, 0}), 10)
	return a.IsGlobalUnicast() && !a.IsPrivate() && !cgnat.Contains(a)
}

// applyPublic puts p into a Contact we built with our local address.
func applyPublic(ct *gosip.ContactHeader, p publicAddr) *gosip.ContactHeader {
	if p.valid() {
		ct.Address.Host = uriHost(p.ip)
		if p.port != 0 {
			ct.Address.Port = p.port
		}
	}
	return ct
}

// publicOffer names p's IP in offer when offer names our local address (or none); an
// address found otherwise (a STUN mapping) is kept. The RTP port stays ours: the NAT keeps
// it (as Linux MASQUERADE and most home routers do when it is free), or STUN found it.
func publicOffer(offer MediaOffer, local netip.Addr, p publicAddr) MediaOffer {
	a := offer.Addr.Addr()
	if !a.IsValid() || a.IsUnspecified() {
		offer.Addr = netip.AddrPortFrom(local, offer.Addr.Port())
		a = local
	}
	if p.valid() && a.Unmap() == local.Unmap() {
		offer.Addr = netip.AddrPortFrom(p.ip, offer.Addr.Port())
	}
	return offer
}

// contact is our Contact in this call's dialog to dest: the public address when the call
// crosses a NAT.
func (c *Call) contact(dest string) *gosip.ContactHeader {
	c.mu.Lock()
	p := c.public
	c.mu.Unlock()
	return applyPublic(c.ua.contactFor(c.user, c.transport, dest), p)
}

// pinhole hands the peer's RTP address in body (an offer or answer) to offer.Pinhole.
func pinhole(offer MediaOffer, body []byte) {
	if offer.Pinhole == nil || len(body) == 0 {
		return
	}
	if rm, err := parseSDP(body); err == nil && !rm.rejected && rm.addr.IsValid() {
		offer.Pinhole(rm.addr)
	}
}
