//go:build linux

package main

import (
	"strconv"
	"strings"
)

// sipMsg is the little of a SIP message the figures need.
type sipMsg struct {
	Method     string // request method; "" for a response
	Status     int    // response code; 0 for a request
	CallID     string
	CSeqMethod string
	FromUser   string
	ToUser     string
	Expires    int  // Expires header, or the Contact's expires parameter; -1 when neither
	Auth       bool // carries Authorization or Proxy-Authorization
	Body       string
}

// parseSIP returns false for anything that does not look like SIP over UDP.
func parseSIP(b []byte) (sipMsg, bool) {
	s := string(b)
	head, body, _ := strings.Cut(s, "\r\n\r\n")
	lines := strings.Split(head, "\r\n")
	m := sipMsg{Expires: -1, Body: body}
	first := lines[0]
	switch {
	case strings.HasPrefix(first, "SIP/2.0 "):
		if len(first) < 11 {
			return m, false
		}
		code, err := strconv.Atoi(first[8:11])
		if err != nil {
			return m, false
		}
		m.Status = code
	case strings.HasSuffix(first, " SIP/2.0"):
		m.Method, _, _ = strings.Cut(first, " ")
	default:
		return m, false
	}
	for _, l := range lines[1:] {
		name, val, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "call-id", "i":
			m.CallID = val
		case "cseq":
			if _, meth, ok := strings.Cut(val, " "); ok {
				m.CSeqMethod = strings.TrimSpace(meth)
			}
		case "from", "f":
			m.FromUser = uriUser(val)
		case "to", "t":
			m.ToUser = uriUser(val)
		case "expires":
			if v, err := strconv.Atoi(val); err == nil {
				m.Expires = v
			}
		case "contact", "m":
			if i := strings.Index(strings.ToLower(val), "expires="); i >= 0 && m.Expires < 0 {
				v := val[i+8:]
				if j := strings.IndexAny(v, ";, >"); j >= 0 {
					v = v[:j]
				}
				if n, err := strconv.Atoi(v); err == nil {
					m.Expires = n
				}
			}
		case "authorization", "proxy-authorization":
			m.Auth = true
		}
	}
	return m, true
}

// uriUser is the user part of the first sip: URI in a header value.
func uriUser(v string) string {
	i := strings.Index(v, "sip:")
	if i < 0 {
		return ""
	}
	v = v[i+4:]
	at := strings.IndexByte(v, '@')
	if at < 0 || strings.ContainsAny(v[:at], ">;") {
		return ""
	}
	return v[:at]
}

// sdpAudioPort is the port of the first m=audio line of an SDP body, 0 when none.
func sdpAudioPort(body string) int {
	for _, l := range strings.Split(body, "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "m=audio ") {
			fs := strings.Fields(l)
			if len(fs) > 1 {
				p, _ := strconv.Atoi(fs[1])
				return p
			}
		}
	}
	return 0
}

// rtpHeader is an RTP packet's fixed header, or ok=false for RTCP and non-RTP.
func rtpHeader(b []byte) (pt uint8, seq uint16, ok bool) {
	if len(b) < 12 || b[0]>>6 != 2 {
		return 0, 0, false
	}
	pt = b[1] & 0x7f
	if pt >= 72 && pt <= 76 { // RTCP SR/RR/SDES/BYE/APP sit where these types would (RFC 5761)
		return 0, 0, false
	}
	return pt, uint16(b[2])<<8 | uint16(b[3]), true
}
