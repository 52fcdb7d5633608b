package main

import (
	"fmt"
	"net/netip"
)

// flow is one RTP stream: one sender, one receiver, one SSRC. Two calls between the same
// ports still differ by their SSRC.
type flow struct {
	src, dst netip.AddrPort
	ssrc     uint32
	pkts     []rtpAudio
}

// rtpFlows returns the G.711 RTP streams toward addr in the order their first packet came.
func rtpFlows(udp []udpPacket, addr netip.Addr) []*flow {
	type key struct {
		src, dst netip.AddrPort
		ssrc     uint32
	}
	idx := map[key]*flow{}
	var out []*flow
	for _, u := range udp {
		if u.Dst.Addr() != addr {
			continue
		}
		r, ok := parseRTP(u.Payload)
		if !ok {
			continue
		}
		k := key{u.Src, u.Dst, r.SSRC}
		f := idx[k]
		if f == nil {
			f = &flow{src: u.Src, dst: u.Dst, ssrc: r.SSRC}
			idx[k] = f
			out = append(out, f)
		}
		f.pkts = append(f.pkts, r)
	}
	return out
}

// pickFlow returns the nth flow (1-based, in order of appearance), or with nth 0 the one with
// the most packets: the call, when the capture holds one.
func pickFlow(flows []*flow, nth int) (*flow, error) {
	if nth > len(flows) || nth < 0 {
		return nil, fmt.Errorf("RTP stream %d asked for, the capture holds %d", nth, len(flows))
	}
	if nth > 0 {
		return flows[nth-1], nil
	}
	best := &flow{}
	for _, f := range flows {
		if len(f.pkts) > len(best.pkts) {
			best = f
		}
	}
	return best, nil
}
