package sip

import (
	"bytes"
	"strconv"
	"strings"

	gosip "github.com/emiago/sipgo/sip"
)

// sipgo hands every received message to a goroutine of its own, so two responses to one
// INVITE that arrived in order (a 180, then the 200 a moment later) can reach the client
// transaction in the other order, and the transaction then drops the 180 (RFC 6026: after a
// 2xx only 2xx). The call would go from calling to answered without ever ringing, and a BLF
// key watching the door would miss "early". The read filter sees datagrams in arrival
// order: it keeps the provisional responses to an outgoing INVITE that arrived before its
// final response, and the 2xx brings those the transaction did not deliver, in order,
// before the answer. UDP only: a stream's reads are not whole messages.

// maxArrivals bounds the provisional responses kept per call (a peer sending more is not
// ringing any harder).
const maxArrivals = 8

// arrivals is an outgoing call's record of the INVITE responses that arrived.
type arrivals struct {
	early     []*gosip.Response // provisional (not 100), in arrival order, until seen
	seen      map[string]bool   // provisionals the transaction delivered, by arrivalKey
	finalSeqs map[uint32]bool   // INVITE CSeq numbers a final response arrived for
}

// arrivalKey names a provisional response: the same retransmitted is the same response.
func arrivalKey(res *gosip.Response) string {
	tag, _ := res.To().Params.Get("tag")
	rseq := ""
	if h := res.GetHeader("RSeq"); h != nil {
		rseq = h.Value()
	}
	var seq uint32
	if cs := res.CSeq(); cs != nil {
		seq = cs.SeqNo
	}
	return strings.Join([]string{res.StartLine(), tag, rseq, strconv.FormatUint(uint64(seq), 10)}, "\x00")
}

// noteArrival records a datagram that is a response to one of our outgoing INVITEs; it is
// called by the read filter, in arrival order, and never fails (anything else passes).
func (u *UA) noteArrival(transport string, data []byte) {
	if !strings.EqualFold(transport, "udp") || !bytes.HasPrefix(data, []byte("SIP/2.0 ")) ||
		bytes.HasPrefix(data, []byte("SIP/2.0 100 ")) {
		return
	}
	msg, err := u.arrivalParser.ParseSIP(data)
	if err != nil {
		return
	}
	res, ok := msg.(*gosip.Response)
	if !ok || res.CallID() == nil || res.CSeq() == nil || res.To() == nil || res.CSeq().MethodName != gosip.INVITE {
		return
	}
	c := u.lookup(res.CallID().Value())
	if c == nil || c.incoming {
		return
	}
	seq := res.CSeq().SeqNo
	c.mu.Lock()
	defer c.mu.Unlock()
	a := &c.arrived
	if c.state == stateConfirmed || c.state == stateEnded || a.finalSeqs[seq] {
		return
	}
	if !res.IsProvisional() {
		if a.finalSeqs == nil {
			a.finalSeqs = map[uint32]bool{}
		}
		a.finalSeqs[seq] = true
		return
	}
	if len(a.early) < maxArrivals {
		a.early = append(a.early, res)
	}
}

// markSeen records that the transaction delivered the provisional res.
func (c *Call) markSeen(res *gosip.Response) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.arrived.seen == nil {
		c.arrived.seen = map[string]bool{}
	}
	c.arrived.seen[arrivalKey(res)] = true
}

// missedBefore returns the provisional responses to the INVITE with CSeq seq that arrived
// before its final response but were not delivered, in arrival order, and forgets them.
func (c *Call) missedBefore(seq uint32) []*gosip.Response {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*gosip.Response
	if c.arrived.seen == nil {
		c.arrived.seen = map[string]bool{}
	}
	for _, res := range c.arrived.early {
		if res.CSeq().SeqNo == seq && !c.arrived.seen[arrivalKey(res)] {
			c.arrived.seen[arrivalKey(res)] = true
			out = append(out, res)
		}
	}
	c.arrived.early = nil
	return out
}
