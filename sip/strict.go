package sip

import (
	"strings"
	"time"

	gosip "github.com/emiago/sipgo/sip"
)

// singleHeaders may appear once in a request (RFC 3261 section 7.3.1 and the grammar of
// section 25): two Call-IDs or CSeqs leave no way to tell which dialog or transaction the
// request belongs to; two Content-Lengths leave no way to frame it (RFC 4475 sections 3.3.7,
// "multi01", and 3.3.8, "mcl01").
var singleHeaders = [...]string{"Call-ID", "From", "To", "CSeq", "Max-Forwards", "Content-Length"}

// dateLayout is the only Date form SIP allows: RFC 1123 in GMT (RFC 3261 section 20.17).
const dateLayout = "Mon, 02 Jan 2006 15:04:05 GMT"

// checkStrict returns the response RFC 4475 asks for a request that parsed but breaks a rule
// a handler would otherwise act on regardless, or 0.
func checkStrict(req *gosip.Request) (int, string, gosip.Header) {
	for _, name := range singleHeaders {
		if len(req.GetHeaders(name)) > 1 {
			return 400, "Multiple " + name + " Values", nil
		}
	}
	// The magic cookie alone claims an RFC 3261 transaction ID and gives none (RFC 4475
	// section 3.2.1, "badbranch"): refuse rather than guess which transaction it is.
	if v := req.Via(); v != nil {
		if b, ok := v.Params.Get("branch"); ok && b == gosip.RFC3261BranchMagicCookie {
			return 400, "Bad Via Branch", nil
		}
	}
	// Headers in a Request-URI are not allowed (RFC 3261 section 19.1.5; RFC 4475 section
	// 3.1.2.11, "escruri").
	if req.Recipient.Headers != nil && req.Recipient.Headers.Length() > 0 {
		return 400, "Headers in Request-URI", nil
	}
	// A Date outside GMT is malformed (RFC 4475 section 3.1.2.12, "baddate").
	if h := req.GetHeader("Date"); h != nil {
		if _, err := time.Parse(dateLayout, strings.TrimSpace(h.Value())); err != nil {
			return 400, "Bad Date", nil
		}
	}
	// Our answer to an INVITE or UPDATE carries SDP: a request that does not accept SDP
	// cannot be answered (RFC 4475 section 3.3.13, "sdp01").
	if (req.Method == gosip.INVITE || req.Method == gosip.UPDATE) && !acceptsSDP(req) {
		return 406, "Not Acceptable", gosip.NewHeader("Accept", "application/sdp")
	}
	return 0, "", nil
}

// acceptsSDP reports whether the request's Accept headers allow an application/sdp body.
// Without Accept, SDP is the default (RFC 3261 section 20.1). An empty Accept strictly means
// "no body"; phones that send one still take SDP, so it does not count as a refusal.
func acceptsSDP(req *gosip.Request) bool {
	hs := req.GetHeaders("Accept")
	if len(hs) == 0 {
		return true
	}
	empty := true
	for _, h := range hs {
		for _, r := range strings.Split(h.Value(), ",") {
			r, _, _ = strings.Cut(r, ";")
			r = strings.ToLower(strings.TrimSpace(r))
			switch r {
			case "":
				continue
			case "application/sdp", "application/*", "*/*":
				return true
			}
			empty = false
		}
	}
	return empty
}
