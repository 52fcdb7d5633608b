package sip

import (
	"strconv"
	"strings"
	"time"

	gosip "github.com/emiago/sipgo/sip"
)

// AnswerAfter reports whether the caller asked for automatic answer (intercom paging):
// Call-Info with answer-after=N (the de-facto convention PBXs use, and what Asterisk and
// FreeSWITCH send) gives the delay; the controller decides whether to honour it.
func (c *Call) AnswerAfter() (time.Duration, bool) {
	if !c.incoming || c.inviteSrv == nil {
		return 0, false
	}
	return answerAfter(c.inviteSrv)
}

func answerAfter(req *gosip.Request) (time.Duration, bool) {
	for _, h := range req.GetHeaders("Call-Info") {
		for _, p := range strings.Split(h.Value(), ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(k), "answer-after") {
				continue
			}
			n, err := strconv.Atoi(strings.Trim(strings.TrimSpace(v), `"`))
			if err != nil || n < 0 || n > 3600 {
				continue
			}
			return time.Duration(n) * time.Second, true
		}
	}
	return 0, false
}
