package sip

import (
	"strings"

	gosip "github.com/emiago/sipgo/sip"
)

// supportedOptions are the option tags we may see in Require (RFC 3261 section 8.2.2.3).
var supportedOptions = map[string]bool{"timer": true}

// guard checks what every handler relies on (RFC 3261 section 8.2) before it runs, so a
// malformed request gets its 4xx/5xx here and handlers never see nil dialog headers.
func (u *UA) guard(h func(*gosip.Request, gosip.ServerTransaction)) func(*gosip.Request, gosip.ServerTransaction) {
	return func(req *gosip.Request, tx gosip.ServerTransaction) {
		callID, agent := "", ""
		if h := req.CallID(); h != nil {
			callID = h.Value()
		}
		if h := req.GetHeader("User-Agent"); h != nil {
			agent = h.Value()
		}
		// Before any validation: a scanner's malformed probe must not earn a 400 either.
		if !u.admit(req.Source(), callID, agent) {
			return
		}
		if code, reason, hdr := checkRequest(req); code != 0 {
			if req.IsAck() {
				return // never answer an ACK
			}
			if hdr != nil {
				u.respond(tx, req, code, reason, nil, hdr)
			} else {
				u.respond(tx, req, code, reason, nil)
			}
			return
		}
		h(req, tx)
	}
}

// checkRequest returns the error response a request deserves, or 0.
func checkRequest(req *gosip.Request) (int, string, gosip.Header) {
	if req.SipVersion != "SIP/2.0" {
		return 505, "Version Not Supported", nil
	}
	if req.From() == nil || req.To() == nil || req.CallID() == nil || req.CSeq() == nil || req.Via() == nil {
		return 400, "Missing From, To, Call-ID, CSeq or Via", nil
	}
	if req.CallID().Value() == "" {
		return 400, "Empty Call-ID", nil
	}
	if m := req.CSeq().MethodName; !strings.EqualFold(string(m), string(req.Method)) {
		return 400, "CSeq Method Mismatch", nil
	}
	if req.Recipient.Scheme != "sip" && req.Recipient.Scheme != "sips" && req.Recipient.Scheme != "" {
		return 416, "Unsupported URI Scheme", nil
	}
	if mf := req.MaxForwards(); mf != nil && mf.Val() == 0 && req.Method != gosip.OPTIONS {
		return 483, "Too Many Hops", nil
	}
	if req.Method == gosip.INVITE && req.Contact() == nil {
		return 400, "Missing Contact", nil
	}
	if code, reason, hdr := checkStrict(req); code != 0 {
		return code, reason, hdr
	}
	var unsupported []string
	for _, h := range req.GetHeaders("Require") {
		for _, opt := range strings.Split(h.Value(), ",") {
			opt = strings.ToLower(strings.TrimSpace(opt))
			if opt != "" && !supportedOptions[opt] {
				unsupported = append(unsupported, opt)
			}
		}
	}
	if len(unsupported) > 0 && !req.IsAck() && req.Method != gosip.CANCEL {
		return 420, "Bad Extension", gosip.NewHeader("Unsupported", strings.Join(unsupported, ", "))
	}
	if len(req.Body()) > 0 && (req.Method == gosip.INVITE || req.Method == gosip.UPDATE) {
		if ct := req.ContentType(); ct != nil {
			v := strings.ToLower(strings.TrimSpace(ct.Value()))
			if !strings.HasPrefix(v, "application/sdp") {
				return 415, "Unsupported Media Type", gosip.NewHeader("Accept", "application/sdp")
			}
		}
	}
	return 0, "", nil
}

// checkMessage parses raw bytes as sipgo would and runs our validation on a request; the
// fuzz target uses it.
func checkMessage(data []byte) int {
	msg, err := newParser().ParseSIP(data)
	if err != nil {
		return 0
	}
	req, ok := msg.(*gosip.Request)
	if !ok {
		return 0
	}
	code, _, _ := checkRequest(req)
	return code
}
