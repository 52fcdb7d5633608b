package app

import (
	"context"
	"net"
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
	p.log.Debug("stun: RTP port mapped", "addr", mapped)
	offer.Addr = mapped
	return offer
}
