package sip

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	gosip "github.com/emiago/sipgo/sip"
)

// parseSessionExpires reads "Session-Expires: 1800;refresher=uac" (RFC 4028 section 4).
func parseSessionExpires(h gosip.Header) (time.Duration, string, bool) {
	if h == nil {
		return 0, "", false
	}
	v, params, _ := strings.Cut(h.Value(), ";")
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n <= 0 {
		return 0, "", false
	}
	refresher := ""
	for _, p := range strings.Split(params, ";") {
		if k, val, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(k, "refresher") {
			refresher = strings.ToLower(strings.TrimSpace(val))
		}
	}
	return time.Duration(n) * time.Second, refresher, true
}

func supportsTimer(req *gosip.Request) bool {
	for _, h := range append(req.GetHeaders("Supported"), req.GetHeaders("k")...) {
		for _, o := range strings.Split(h.Value(), ",") {
			if strings.EqualFold(strings.TrimSpace(o), "timer") {
				return true
			}
		}
	}
	return false
}

func seconds(d time.Duration) string { return strconv.Itoa(int(d / time.Second)) }

// sessionTimerHeaders are what our INVITE carries when session timers are on.
func (u *UA) sessionTimerHeaders(se time.Duration) []gosip.Header {
	if se <= 0 {
		return nil
	}
	return []gosip.Header{
		gosip.NewHeader("Supported", "timer"),
		gosip.NewHeader("Session-Expires", seconds(se)),
		gosip.NewHeader("Min-SE", seconds(u.cfg.MinSE)),
	}
}

// startSessionTimer runs the RFC 4028 timer of an established call: as refresher, a
// refresh (UPDATE or re-INVITE, refresh.go) every half interval; otherwise BYE when no refresh came in time (section 10:
// the interval minus min(32 s, interval/3)).
func (c *Call) startSessionTimer(se time.Duration, refresher bool) {
	if se <= 0 {
		return
	}
	u := c.ua
	wait := se - min(32*time.Second, se/3)
	if refresher {
		wait = se / 2
	}
	t := u.clk.NewTimer(wait)
	c.mu.Lock()
	c.stTimer, c.stWait = t, wait
	c.mu.Unlock()
	u.goBackground(func() {
		defer t.Stop()
		for {
			select {
			case <-c.over:
				return
			case <-u.done:
				return
			case <-t.C():
				if !refresher {
					u.log.Warn("sip: session expired", "call", c.id)
					c.byeReason("session expired")
					return
				}
				if err := c.refreshSession(); err != nil {
					u.log.Warn("sip: session refresh failed", "call", c.id, "err", err)
					c.byeReason("session refresh failed")
					return
				}
				t.Reset(wait)
			}
		}
	})
}

// noteRefresh restarts the session timer after a re-INVITE or UPDATE, synchronously, so
// that the refresh is in force by the time our 200 leaves.
func (c *Call) noteRefresh() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stTimer != nil {
		c.stTimer.Reset(c.stWait)
	}
}

// sessionFromResponse reads the interval and our role from a 2xx to our INVITE.
func sessionFromResponse(res *gosip.Response) (time.Duration, bool) {
	se, who, ok := parseSessionExpires(res.GetHeader("Session-Expires"))
	if !ok {
		se, who, ok = parseSessionExpires(res.GetHeader("x"))
	}
	if !ok {
		return 0, false
	}
	return se, who != "uas" // we are the UAC: the refresher unless the UAS took it
}

// sessionForRequest decides the interval for an incoming INVITE: 0 when the caller asked
// for none; an error response (422) when it is below our Min-SE.
func (u *UA) sessionForRequest(req *gosip.Request) (se time.Duration, refresher string, reject gosip.Header, err error) {
	h := req.GetHeader("Session-Expires")
	if h == nil {
		h = req.GetHeader("x")
	}
	se, refresher, ok := parseSessionExpires(h)
	if !ok {
		return 0, "", nil, nil
	}
	if u.cfg.MinSE > 0 && se < u.cfg.MinSE {
		return 0, "", gosip.NewHeader("Min-SE", seconds(u.cfg.MinSE)),
			fmt.Errorf("session interval %s below Min-SE %s", se, u.cfg.MinSE)
	}
	if refresher == "" {
		refresher = "uas"
		if supportsTimer(req) {
			refresher = "uac"
		}
	}
	return se, refresher, nil, nil
}
