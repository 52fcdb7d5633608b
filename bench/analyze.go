//go:build linux

package main

import (
	"math"
	"net/netip"
	"sort"
	"time"
)

// packets is everything captured on lo, in capture order.
type packets []datagram

// sipOf returns the SIP messages among the datagrams, with their capture datagram.
type sipPacket struct {
	datagram
	msg sipMsg
}

func (ps packets) sip() []sipPacket {
	var out []sipPacket
	for _, d := range ps {
		if m, ok := parseSIP(d.Payload); ok {
			out = append(out, sipPacket{d, m})
		}
	}
	return out
}

// registration is one start of a peer as seen on the wire.
type registration struct {
	FirstRegister time.Time // the first REGISTER of the exchange (before the 401)
	OK            time.Time // its 200 OK
}

// findRegistration returns the first successful registration of user after t0, if any.
func findRegistration(sp []sipPacket, user string, t0 time.Time) (registration, bool) {
	first := map[string]time.Time{}
	for _, p := range sp {
		if p.TS.Before(t0) || p.msg.CSeqMethod != "REGISTER" || p.msg.ToUser != user {
			continue
		}
		if p.msg.Method == "REGISTER" {
			if _, ok := first[p.msg.CallID]; !ok {
				first[p.msg.CallID] = p.TS
			}
			continue
		}
		if p.msg.Status == 200 && p.msg.Expires != 0 {
			if f, ok := first[p.msg.CallID]; ok {
				return registration{FirstRegister: f, OK: p.TS}, true
			}
		}
	}
	return registration{}, false
}

// callRec is one INVITE sent to a peer, and what became of it.
type callRec struct {
	CallID  string
	Invite  time.Time
	Final   time.Time // first final response
	Status  int       // its code; 0 when none was captured
	RTPPort int       // the peer's RTP port from the 200 OK's SDP
	Bye     time.Time // our BYE, when the call was answered and hung up
}

// findCalls returns the INVITEs sent to peer within [from, to], in order.
func findCalls(sp []sipPacket, peer netip.AddrPort, from, to time.Time) []*callRec {
	byID := map[string]*callRec{}
	var order []*callRec
	for _, p := range sp {
		if p.TS.Before(from) || p.TS.After(to) {
			continue
		}
		m := p.msg
		switch {
		case m.Method == "INVITE" && p.Dst == peer:
			if _, ok := byID[m.CallID]; !ok {
				c := &callRec{CallID: m.CallID, Invite: p.TS}
				byID[m.CallID] = c
				order = append(order, c)
			}
		case m.Method == "BYE" && p.Dst == peer:
			if c, ok := byID[m.CallID]; ok && c.Bye.IsZero() {
				c.Bye = p.TS
			}
		case m.Status >= 200 && m.CSeqMethod == "INVITE" && p.Src == peer:
			if c, ok := byID[m.CallID]; ok && c.Status == 0 {
				c.Status, c.Final = m.Status, p.TS
				if m.Status == 200 {
					c.RTPPort = sdpAudioPort(m.Body)
				}
			}
		}
	}
	return order
}

// rtpStream is the send timing of one RTP stream.
type rtpStream struct {
	Packets   int
	Lost      int       // sequence numbers never seen between the first and the last
	Intervals []float64 // ms between consecutive packets, after the first warmup ones
}

// rtpWarmup packets at the start of a stream are left out of the timing: the first ones go
// out while the call is still being set up.
const rtpWarmup = 10

// findRTP returns the stream of audio payload type pt from src within [from, to].
func findRTP(ps packets, src netip.AddrPort, pt uint8, from, to time.Time) rtpStream {
	var s rtpStream
	var last time.Time
	var firstSeq, lastSeq uint16
	var ext int // sequence span, unwrapped
	for _, d := range ps {
		if d.Src != src || d.TS.Before(from) || d.TS.After(to) {
			continue
		}
		p, seq, ok := rtpHeader(d.Payload)
		if !ok || p != pt {
			continue
		}
		if s.Packets == 0 {
			firstSeq, lastSeq = seq, seq
		} else {
			ext += int(uint16(seq - lastSeq))
			lastSeq = seq
		}
		s.Packets++
		if s.Packets > rtpWarmup {
			s.Intervals = append(s.Intervals, float64(d.TS.Sub(last))/float64(time.Millisecond))
		}
		last = d.TS
	}
	_ = firstSeq
	if s.Packets > 0 {
		s.Lost = max(0, ext+1-s.Packets)
	}
	return s
}

// deviations returns |interval - ptime| in ms.
func deviations(iv []float64, ptimeMS float64) []float64 {
	out := make([]float64, len(iv))
	for i, v := range iv {
		out[i] = math.Abs(v - ptimeMS)
	}
	return out
}

// quantile is the nearest-rank q-quantile of xs (not modified); NaN when empty.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func maxOf(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	m := xs[0]
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
