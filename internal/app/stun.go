package app

import (
	"context"
	"net"
	"net/netip"
	"time"

	"github.com/doorsip/intercom/media"
	"github.com/doorsip/intercom/sip"
)

// stunTimeout bounds the STUN exchange at a call's setup: a dead server delays the call by
// this much once, then the local address is offered.
const stunTimeout = 500 * time.Millisecond

// mapRTP puts the RTP socket's public address, as [media] stun_server sees it, into offer;
// without an answer the offer keeps the local address (which sip replaces by the public
// IP learned from the registrar, with the local port).
func (p *phone) mapRTP(conn *net.UDPConn, server string, offer sip.MediaOffer) sip.MediaOffer {
	if server == "" {
		return offer
	}
	mapped, err := media.MapRTP(context.Background(), conn, server, stunTimeout, p.clk)
	if err != nil {
		p.log.Warn("stun: RTP port's public address unknown, offering the local one", "err", err)
		return offer
	}
	p.log.Info("stun: RTP port mapped", "addr", mapped)
	offer.Addr = mapped
	return offer
}

// pinhole opens the NAT for the peer's RTP on conn as soon as sip knows where it comes from.
func (p *phone) pinhole(conn *net.UDPConn) func(netip.AddrPort) {
	return func(peer netip.AddrPort) {
		if err := media.OpenPinhole(conn, peer); err != nil {
			p.log.Debug("rtp pinhole", "peer", peer, "err", err)
		}
	}
}
