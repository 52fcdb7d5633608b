package sip

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/pion/sdp/v3"
)

// Codec is one audio format as SDP names it. ClockRate is the RTP clock rate from a=rtpmap,
// so G722 is 8000 here (RFC 3551 section 4.5.2) although it samples at 16 kHz.
type Codec struct {
	Name        string
	PayloadType uint8
	ClockRate   int
	Channels    int
}

// MediaOffer is what media/ can do, in our preference order. An unspecified Addr IP is
// replaced by the local address of the route to the peer.
type MediaOffer struct {
	Addr            netip.AddrPort
	Codecs          []Codec
	DTMFPayloadType uint8 // 0: no telephone-event
	Ptime           time.Duration
	// Crypto is an SDES a=crypto value without its tag ("AES_CM_128_HMAC_SHA1_80
	// inline:KEY"); empty means plain RTP/AVP.
	Crypto string
	// Pinhole, when set, is called with the peer's RTP address as soon as it is known: the
	// incoming offer before our 200 leaves, a late offer's answer in the ACK, the 2xx answer
	// before our ACK, a 183's SDP. The media side sends a packet there from its RTP port, so
	// a NAT in front of us maps the port before the peer's first packet reaches it (nat.go).
	Pinhole func(netip.AddrPort)
}

// Negotiated is the outcome of an offer/answer exchange, from our point of view.
type Negotiated struct {
	Remote          netip.AddrPort
	Codec           Codec
	DTMFPayloadType uint8 // 0: the peer has no telephone-event
	Ptime           time.Duration
	// Direction is ours: "sendrecv"; "sendonly" (we hold the peer, or it asked only to
	// listen); "recvonly" (the peer holds us); "inactive".
	Direction string
	// Crypto is the peer's SDES a=crypto value (suite and key) for the suite we offered.
	Crypto string
}

// staticCodecs are RFC 3551 payload types a peer may list without a=rtpmap. pion's
// GetCodecMap invents these even when absent from the m= line; we only use them for formats
// the m= line actually lists.
var staticCodecs = map[uint8]Codec{
	0: {Name: "PCMU", PayloadType: 0, ClockRate: 8000, Channels: 1},
	8: {Name: "PCMA", PayloadType: 8, ClockRate: 8000, Channels: 1},
	9: {Name: "G722", PayloadType: 9, ClockRate: 8000, Channels: 1},
}

// buildSDP writes a session description for offer with the given direction. sessID and version
// fill o=; the caller bumps version for each new description in a session (RFC 3264 section 8).
func buildSDP(offer MediaOffer, sessID, version uint64, direction string) []byte {
	ip := offer.Addr.Addr()
	nettype, addrtype := "IN", "IP4"
	if ip.Is6() && !ip.Is4In6() {
		addrtype = "IP6"
	}
	proto := "RTP/AVP"
	if offer.Crypto != "" {
		proto = "RTP/SAVP"
	}
	var b strings.Builder
	// s=- names no product (RFC 8866 section 5.3 allows a single "-"): the SDP of every call
	// would otherwise tell a listener what answers.
	fmt.Fprintf(&b, "v=0\r\no=- %d %d %s %s %s\r\ns=-\r\nc=%s %s %s\r\nt=0 0\r\n",
		sessID, version, nettype, addrtype, ip.Unmap(), nettype, addrtype, ip.Unmap())
	fmt.Fprintf(&b, "m=audio %d %s", offer.Addr.Port(), proto)
	for _, c := range offer.Codecs {
		fmt.Fprintf(&b, " %d", c.PayloadType)
	}
	if offer.DTMFPayloadType != 0 {
		fmt.Fprintf(&b, " %d", offer.DTMFPayloadType)
	}
	b.WriteString("\r\n")
	for _, c := range offer.Codecs {
		fmt.Fprintf(&b, "a=rtpmap:%d %s/%d", c.PayloadType, c.Name, c.ClockRate)
		if c.Channels > 1 {
			fmt.Fprintf(&b, "/%d", c.Channels)
		}
		b.WriteString("\r\n")
	}
	if offer.DTMFPayloadType != 0 {
		fmt.Fprintf(&b, "a=rtpmap:%d telephone-event/8000\r\na=fmtp:%d 0-16\r\n",
			offer.DTMFPayloadType, offer.DTMFPayloadType)
	}
	if offer.Ptime > 0 {
		fmt.Fprintf(&b, "a=ptime:%d\r\n", offer.Ptime.Milliseconds())
	}
	if offer.Crypto != "" {
		fmt.Fprintf(&b, "a=crypto:1 %s\r\n", offer.Crypto)
	}
	if direction == "" {
		direction = "sendrecv"
	}
	b.WriteString("a=" + direction + "\r\n")
	return []byte(b.String())
}

// remoteMedia is the first usable audio stream of a peer's description.
type remoteMedia struct {
	addr      netip.AddrPort
	formats   []Codec // in the peer's order, telephone-event excluded
	dtmfPT    uint8
	hasDTMF   bool
	ptime     time.Duration
	direction string // the peer's
	crypto    []string
	rejected  bool // port 0
}

// parseSDP reads the first audio m= line of body.
func parseSDP(body []byte) (remoteMedia, error) {
	var rm remoteMedia
	var sd sdp.SessionDescription
	if err := sd.Unmarshal(body); err != nil {
		return rm, fmt.Errorf("%w: %w", ErrBadSDP, err)
	}
	sessionDir := "sendrecv"
	for _, a := range sd.Attributes {
		if isDirection(a.Key) {
			sessionDir = a.Key
		}
	}
	for _, md := range sd.MediaDescriptions {
		if md == nil || md.MediaName.Media != "audio" {
			continue
		}
		conn := md.ConnectionInformation
		if conn == nil {
			conn = sd.ConnectionInformation
		}
		if md.MediaName.Port.Value == 0 {
			rm.rejected = true
			return rm, nil
		}
		if conn == nil || conn.Address == nil {
			return rm, fmt.Errorf("%w: audio stream without c= line", ErrBadSDP)
		}
		ip, err := netip.ParseAddr(conn.Address.Address)
		if err != nil {
			return rm, fmt.Errorf("%w: c= address %q is not an IP", ErrBadSDP, conn.Address.Address)
		}
		port := md.MediaName.Port.Value
		if port < 0 || port > 65535 {
			return rm, fmt.Errorf("%w: port %d out of range", ErrBadSDP, port)
		}
		rm.addr = netip.AddrPortFrom(ip, uint16(port))
		rm.direction = sessionDir
		rtpmap := map[uint8]Codec{}
		for _, a := range md.Attributes {
			switch {
			case a.Key == "rtpmap":
				if c, ok := parseRtpmap(a.Value); ok {
					rtpmap[c.PayloadType] = c
				}
			case a.Key == "ptime":
				if ms, err := strconv.Atoi(strings.TrimSpace(a.Value)); err == nil && ms > 0 && ms <= 1000 {
					rm.ptime = time.Duration(ms) * time.Millisecond
				}
			case a.Key == "crypto":
				rm.crypto = append(rm.crypto, a.Value)
			case isDirection(a.Key):
				rm.direction = a.Key
			}
		}
		for _, f := range md.MediaName.Formats {
			n, err := strconv.Atoi(f)
			if err != nil || n < 0 || n > 127 {
				continue
			}
			pt := uint8(n)
			c, ok := rtpmap[pt]
			if !ok {
				if c, ok = staticCodecs[pt]; !ok {
					continue
				}
			}
			if strings.EqualFold(c.Name, "telephone-event") {
				if !rm.hasDTMF && c.ClockRate == 8000 {
					rm.dtmfPT, rm.hasDTMF = pt, true
				}
				continue
			}
			rm.formats = append(rm.formats, c)
		}
		return rm, nil
	}
	return rm, fmt.Errorf("%w: no audio stream", ErrBadSDP)
}

// parseRtpmap reads "PT name/rate[/channels]".
func parseRtpmap(v string) (Codec, bool) {
	ptStr, enc, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok {
		return Codec{}, false
	}
	n, err := strconv.Atoi(ptStr)
	if err != nil || n < 0 || n > 127 {
		return Codec{}, false
	}
	parts := strings.Split(strings.TrimSpace(enc), "/")
	if len(parts) < 2 || parts[0] == "" {
		return Codec{}, false
	}
	rate, err := strconv.Atoi(parts[1])
	if err != nil || rate <= 0 {
		return Codec{}, false
	}
	ch := 1
	if len(parts) > 2 {
		if ch, err = strconv.Atoi(parts[2]); err != nil || ch <= 0 || ch > 8 {
			return Codec{}, false
		}
	}
	return Codec{Name: parts[0], PayloadType: uint8(n), ClockRate: rate, Channels: ch}, true
}

func isDirection(k string) bool {
	switch k {
	case "sendrecv", "sendonly", "recvonly", "inactive":
		return true
	}
	return false
}

// answerDirection is our direction in reply to the peer's (RFC 3264 section 6.1), capped
// by what we want.
func answerDirection(peer, want string) string {
	sendOK, recvOK := true, true
	switch peer {
	case "sendonly":
		sendOK = false
	case "recvonly":
		recvOK = false
	case "inactive":
		sendOK, recvOK = false, false
	}
	switch want {
	case "sendonly":
		recvOK = false
	case "recvonly":
		sendOK = false
	case "inactive":
		sendOK, recvOK = false, false
	}
	switch {
	case sendOK && recvOK:
		return "sendrecv"
	case sendOK:
		return "sendonly"
	case recvOK:
		return "recvonly"
	}
	return "inactive"
}

func sameCodec(a, b Codec) bool {
	ca, cb := max(a.Channels, 1), max(b.Channels, 1)
	return strings.EqualFold(a.Name, b.Name) && a.ClockRate == b.ClockRate && ca == cb
}

// negotiate picks the codec for a session. As answerer (offerer=false) it walks our list in
// our preference order and takes the first the peer offered, with the peer's payload type;
// as offerer it takes the first format of the answer that we offered. want is the direction
// we asked for (or want to answer with).
func negotiate(local MediaOffer, rm remoteMedia, offerer bool, want string) (Negotiated, error) {
	var n Negotiated
	if rm.rejected {
		return n, fmt.Errorf("%w: audio stream rejected (port 0)", ErrNoCodec)
	}
	found := false
	if offerer {
	outer:
		for _, rc := range rm.formats {
			for _, lc := range local.Codecs {
				if sameCodec(lc, rc) {
					n.Codec, found = Codec{Name: lc.Name, PayloadType: rc.PayloadType, ClockRate: lc.ClockRate, Channels: max(lc.Channels, 1)}, true
					break outer
				}
			}
		}
	} else {
	outer2:
		for _, lc := range local.Codecs {
			for _, rc := range rm.formats {
				if sameCodec(lc, rc) {
					n.Codec, found = Codec{Name: lc.Name, PayloadType: rc.PayloadType, ClockRate: lc.ClockRate, Channels: max(lc.Channels, 1)}, true
					break outer2
				}
			}
		}
	}
	if !found {
		return n, ErrNoCodec
	}
	if local.DTMFPayloadType != 0 && rm.hasDTMF {
		n.DTMFPayloadType = rm.dtmfPT
	}
	n.Remote = rm.addr
	n.Ptime = local.Ptime
	if rm.ptime > 0 {
		n.Ptime = rm.ptime
	}
	// Either way ours is the mirror of the peer's, capped by what we want (RFC 3264 6.1).
	n.Direction = answerDirection(rm.direction, want)
	if local.Crypto != "" {
		suite, _, _ := strings.Cut(local.Crypto, " ")
		for _, c := range rm.crypto {
			// "tag suite key-params": keep "suite key-params".
			_, rest, ok := strings.Cut(strings.TrimSpace(c), " ")
			if !ok {
				continue
			}
			if s, _, _ := strings.Cut(rest, " "); s == suite {
				n.Crypto = rest
				break
			}
		}
	}
	return n, nil
}

// answerOffer is the local description for our answer: the chosen codec (with the peer's
// payload type) and telephone-event if both sides have it.
func answerOffer(local MediaOffer, n Negotiated) MediaOffer {
	a := local
	a.Codecs = []Codec{n.Codec}
	a.DTMFPayloadType = n.DTMFPayloadType
	if n.Crypto == "" {
		a.Crypto = ""
	}
	return a
}
