package sip

import (
	"strconv"
	"strings"
	"time"

	gosip "github.com/emiago/sipgo/sip"
)

// AnswerAfter reports whether the caller asked for automatic answer (intercom paging), and
// after how long: Call-Info with answer-after=N (the de-facto convention; Asterisk,
// FreeSWITCH, Yealink), or the Alert-Info variants PBXs send for Polycom and Snom paging
// (info=alert-autoanswer or info=intercom, with an optional delay=N; answer-after=N; the
// bare "Ring Answer" and "Auto Answer"; RFC 7462's <urn:alert:service:auto-answer>). The
// controller decides whether to honour it.
func (c *Call) AnswerAfter() (time.Duration, bool) {
	if !c.incoming || c.inviteSrv == nil {
		return 0, false
	}
	return answerAfter(c.inviteSrv)
}

// maxAnswerAfter is the longest delay believed: a larger one is a malformed header.
const maxAnswerAfter = 3600

func answerAfter(req *gosip.Request) (time.Duration, bool) {
	for _, h := range req.GetHeaders("Call-Info") {
		if d, ok := paramSeconds(h.Value(), "answer-after"); ok {
			return d, true
		}
	}
	for _, h := range req.GetHeaders("Alert-Info") {
		if d, ok := alertAutoAnswer(h.Value()); ok {
			return d, true
		}
	}
	return 0, false
}

// alertAutoAnswer reads one Alert-Info value (it may hold several, comma-separated).
func alertAutoAnswer(v string) (time.Duration, bool) {
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		switch strings.ToLower(part) {
		case "ring answer", "auto answer", "autoanswer":
			return 0, true
		}
		if d, ok := paramSeconds(part, "answer-after"); ok {
			return d, true
		}
		uri, params, _ := strings.Cut(part, ";")
		auto := strings.EqualFold(strings.Trim(strings.TrimSpace(uri), "<>"), "urn:alert:service:auto-answer")
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "info") {
				switch strings.ToLower(strings.Trim(strings.TrimSpace(v), `"`)) {
				case "alert-autoanswer", "auto-answer", "intercom":
					auto = true
				}
			}
		}
		if auto {
			d, _ := paramSeconds(params, "delay")
			return d, true
		}
	}
	return 0, false
}

// paramSeconds finds ;name=N in a header value: N whole seconds, 0 to maxAnswerAfter.
func paramSeconds(v, name string) (time.Duration, bool) {
	for _, p := range strings.Split(v, ";") {
		k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), name) {
			continue
		}
		n, err := strconv.Atoi(strings.Trim(strings.TrimSpace(val), `"`))
		if err != nil || n < 0 || n > maxAnswerAfter {
			continue
		}
		return time.Duration(n) * time.Second, true
	}
	return 0, false
}
