package app

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/doorsip/intercom/sip"
)

// trust is what an incoming call must satisfy before the controller sees it, beyond the
// allow lists (which only read the From URI).
type trust struct {
	// pins are the IP-literal hosts of call.allow_from and door.allowed entries: a From at
	// such a host must come from that address, or anyone on the LAN could write it.
	pins []netip.Addr
}

// newTrust collects the pinned addresses of the given allow lists.
func newTrust(lists ...[]string) trust {
	var t trust
	for _, l := range lists {
		for _, e := range l {
			if a, ok := uriIPHost(e); ok {
				t.pins = append(t.pins, a)
			}
		}
	}
	return t
}

// refusal says why an incoming call's caller cannot be believed, or "" when it can.
func (t trust) refusal(o sip.Origin) string {
	if !o.Source.IsValid() {
		return "" // in-process tests: no packet, nothing to check against
	}
	// A call that claims to come through our registration is the registrar's to deliver.
	// A PBX that sends calls from other addresses than it registers at is listed in
	// [sip.scanner] trusted.
	if o.ForAccount && !o.FromRegistrar && !o.Trusted {
		return fmt.Sprintf("addressed to an account but sent from %s, not the registrar", o.Source)
	}
	if from, err := netip.ParseAddr(o.FromHost); err == nil {
		from = from.Unmap()
		for _, p := range t.pins {
			if p == from && o.Source != from {
				return fmt.Sprintf("From names pinned host %s but the INVITE came from %s", from, o.Source)
			}
		}
	}
	return ""
}

// uriIPHost returns the host of a SIP URI (or name-addr) when it is an IP literal.
func uriIPHost(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '<'); i >= 0 {
		s = s[i+1:]
		if j := strings.IndexByte(s, '>'); j >= 0 {
			s = s[:j]
		}
	}
	if i := strings.IndexByte(s, ':'); i >= 0 && strings.EqualFold(strings.TrimSuffix(s[:i], "s"), "sip") {
		s = s[i+1:]
	}
	if i := strings.IndexAny(s, ";?"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	if strings.HasPrefix(s, "[") {
		if j := strings.IndexByte(s, ']'); j >= 0 {
			s = s[1:j]
		}
	} else if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}
