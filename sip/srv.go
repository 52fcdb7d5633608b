package sip

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	gosip "github.com/emiago/sipgo/sip"
)

// srvLookup is net.Resolver.LookupSRV; tests replace it.
type srvLookup func(ctx context.Context, service, proto, name string) (string, []*net.SRV, error)

// serverAddr is host:port for a registrar or outbound proxy URI (RFC 3263, simplified):
// an explicit port or an IP literal is used as is; a bare domain is looked up as
// _sip._udp / _sip._tcp / _sips._tcp SRV, falling back to the default port.
func (u *UA) serverAddr(ctx context.Context, reg URI, transport string) string {
	uri := gosip.Uri{Scheme: reg.Scheme, Host: reg.Host, Port: reg.Port}
	if reg.Port != 0 {
		return destOf(uri)
	}
	if _, err := netip.ParseAddr(strings.Trim(reg.Host, "[]")); err == nil {
		return destOf(uri)
	}
	service, proto := "sip", "udp"
	switch {
	case reg.Scheme == "sips" || strings.EqualFold(transport, "tls"):
		service, proto = "sips", "tcp"
	case strings.EqualFold(transport, "tcp"):
		proto = "tcp"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	_, addrs, err := u.lookupSRV(ctx, service, proto, reg.Host)
	if err != nil || len(addrs) == 0 {
		return destOf(uri)
	}
	// LookupSRV sorts by priority and shuffles by weight (RFC 2782) already.
	return net.JoinHostPort(strings.TrimSuffix(addrs[0].Target, "."), strconv.Itoa(int(addrs[0].Port)))
}
