package sip

import (
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/doorsip/intercom/internal/clock"
)

// Scanner defence. A door on a public address sees SIP scanners sweep extensions
// with OPTIONS/REGISTER/INVITE at hundreds per second. Answering each one costs CPU, fills the
// log and confirms to the scanner that a SIP stack lives here, so out-of-dialog requests are
// limited per source IP and known scanner User-Agents get no answer at all.
// The rate and burst come from [sip.scanner] (ScannerDefaults: 10/s, burst 20).
const (
	// scanLogEvery: one log line per source per minute, whatever the flood's rate.
	scanLogEvery = time.Minute
	// scanMaxSources bounds the table against spoofed-source floods; past it, sources idle
	// for a minute are forgotten, and if none is, new sources share one bucket.
	scanMaxSources = 4096
)

// isScannerAgent reports whether ua names a known scanner (sipvicious and its forks, sipcli,
// VaxSIP, pplsip, sundayddr) or holds one of extra (lower case, from [sip.scanner]
// user_agents), case-insensitively.
func isScannerAgent(ua string, extra []string) bool {
	if ua == "" {
		return false
	}
	ua = strings.ToLower(ua)
	for _, s := range [...]string{"friendly-scanner", "sipvicious", "sipcli", "vaxsipuseragent", "pplsip", "sundayddr"} {
		if strings.Contains(ua, s) {
			return true
		}
	}
	for _, s := range extra {
		if strings.Contains(ua, s) {
			return true
		}
	}
	return false
}

// Stats are the UA's counters of requests it dropped without answer.
type Stats struct {
	ScannerDropped uint64 // out-of-dialog requests from a scanner User-Agent
	RateDropped    uint64 // out-of-dialog requests over the per-source rate limit
	// UntrustedDropped: out-of-dialog requests from neither a registrar nor a trusted
	// network while [sip.scanner] trusted_only is set.
	UntrustedDropped uint64
}

// Stats reports what the scanner defence dropped since the UA was created.
func (u *UA) Stats() Stats { return u.scan.stats() }

// sourceState is one source IP's token bucket and its log suppression.
type sourceState struct {
	tokens float64
	last   time.Time // last refill
	seen   time.Time // last request

	rateDrops, scanDrops, untrustedDrops        int       // drops since the last log line of that kind
	rateLogged, scanLoggedAt, untrustedLoggedAt time.Time // when that line was written; zero = never
}

// scanLimiter is the per-source-IP rate limiter and scanner filter.
type scanLimiter struct {
	clk clock.Clock
	log *slog.Logger

	mu      sync.Mutex
	rate    float64 // 0 = no rate limit
	burst   float64
	agents  []string // more scanner User-Agents, lower case
	trusted []netip.Prefix
	// trustedOnly drops every out-of-dialog request from outside trusted (registrars are
	// exempt before the limiter is asked).
	trustedOnly bool
	sources     map[netip.Addr]*sourceState
	counts      Stats
}

// newScanLimiter builds the limiter from a validated cfg.
func newScanLimiter(cfg ScannerConfig, clk clock.Clock, log *slog.Logger) *scanLimiter {
	l := &scanLimiter{clk: clk, log: log, sources: map[netip.Addr]*sourceState{}}
	l.configure(cfg)
	return l
}

// configure applies cfg (an entry that does not parse is skipped: Validate has reported it).
// Sources keep their buckets, capped at the new burst.
func (l *scanLimiter) configure(cfg ScannerConfig) {
	var agents []string
	for _, ua := range cfg.UserAgents {
		if ua = strings.ToLower(strings.TrimSpace(ua)); ua != "" {
			agents = append(agents, ua)
		}
	}
	var trusted []netip.Prefix
	for _, s := range cfg.Trusted {
		if p, err := parseTrusted(s); err == nil {
			trusted = append(trusted, p)
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rate, l.burst, l.agents, l.trusted = float64(cfg.Rate), float64(cfg.Burst), agents, trusted
	l.trustedOnly = cfg.TrustedOnly
	for _, s := range l.sources {
		s.tokens = min(s.tokens, l.burst)
	}
}

// isTrusted reports whether src is in a [sip.scanner] trusted network.
func (l *scanLimiter) isTrusted(src netip.Addr) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range l.trusted {
		if p.Contains(src) {
			return true
		}
	}
	return false
}

// SetScanner applies a new [sip.scanner] (a config reload) to the running UA.
func (u *UA) SetScanner(cfg ScannerConfig) { u.scan.configure(cfg) }

func (l *scanLimiter) stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.counts
}

// allow decides on one out-of-dialog request from src carrying User-Agent ua; false means
// drop it silently. A scanner is dropped before it takes a token, so a scanner sharing an
// address with a real phone (NAT, or loopback in tests) does not starve the phone.
func (l *scanLimiter) allow(src netip.Addr, ua string) bool {
	now := l.clk.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range l.trusted {
		if p.Contains(src) {
			return true // a [sip.scanner] trusted network: never limited, filtered or tracked
		}
	}
	s := l.source(src, now)
	s.seen = now
	if l.trustedOnly {
		l.counts.UntrustedDropped++
		s.untrustedDrops++
		if s.untrustedLoggedAt.IsZero() || now.Sub(s.untrustedLoggedAt) >= scanLogEvery {
			l.log.Info("sip: requests from an untrusted source dropped (trusted_only)", "source", src.String(), "count", s.untrustedDrops)
			s.untrustedLoggedAt, s.untrustedDrops = now, 0
		}
		return false
	}
	if isScannerAgent(ua, l.agents) {
		l.counts.ScannerDropped++
		s.scanDrops++
		if s.scanLoggedAt.IsZero() || now.Sub(s.scanLoggedAt) >= scanLogEvery {
			l.log.Info("sip: scanner requests dropped", "source", src.String(), "user_agent", ua, "count", s.scanDrops)
			s.scanLoggedAt, s.scanDrops = now, 0
		}
		return false
	}
	if l.rate == 0 {
		return true
	}
	if el := now.Sub(s.last); el > 0 {
		s.tokens = min(l.burst, s.tokens+el.Seconds()*l.rate)
		s.last = now
	}
	if s.tokens >= 1 {
		s.tokens--
		return true
	}
	l.counts.RateDropped++
	s.rateDrops++
	if s.rateLogged.IsZero() || now.Sub(s.rateLogged) >= scanLogEvery {
		l.log.Info("sip: requests over rate limit dropped", "source", src.String(), "count", s.rateDrops)
		s.rateLogged, s.rateDrops = now, 0
	}
	return false
}

// source finds or makes src's state; l.mu is held.
func (l *scanLimiter) source(src netip.Addr, now time.Time) *sourceState {
	if s, ok := l.sources[src]; ok {
		return s
	}
	if len(l.sources) >= scanMaxSources {
		for a, s := range l.sources {
			if now.Sub(s.seen) >= scanLogEvery {
				delete(l.sources, a)
			}
		}
		if len(l.sources) >= scanMaxSources {
			// Every slot is busy: a spoofed-source flood. Pool the newcomers so the table
			// stays bounded; they then share one bucket.
			src = netip.Addr{}
			if s, ok := l.sources[src]; ok {
				return s
			}
		}
	}
	s := &sourceState{tokens: l.burst, last: now}
	l.sources[src] = s
	return s
}

// isRegistrar reports whether src is a configured registrar, as far as we know without DNS:
// a literal registrar host, or the address a registration last reached.
func (u *UA) isRegistrar(src netip.Addr) bool {
	for _, r := range u.regs {
		for _, reg := range r.regs {
			if a, err := netip.ParseAddr(strings.Trim(reg.Host, "[]")); err == nil && a.Unmap() == src {
				return true
			}
		}
		r.mu.Lock()
		dest := r.dest
		r.mu.Unlock()
		if ap, err := netip.ParseAddrPort(dest); err == nil && ap.Addr().Unmap() == src {
			return true
		}
	}
	return false
}

// admit applies the scanner defence to a request that passed checkRequest; false means
// drop it without answer. Requests in one of our dialogs (or for a call we are setting up:
// ACK, CANCEL, retransmissions), from a registrar or from a trusted network always pass.
func (u *UA) admit(src string, callID string, userAgent string) bool {
	ap, err := netip.ParseAddrPort(src)
	if err != nil {
		return true // in-process dispatch (tests) has no source
	}
	if u.lookup(callID) != nil || u.notif.known(callID) || u.mwiKnown(callID) {
		return true
	}
	addr := ap.Addr().Unmap()
	if u.isRegistrar(addr) {
		return true
	}
	return u.scan.allow(addr, userAgent)
}
