package sip

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/doorsip/intercom/internal/cfgerr"
)

// ScannerConfig is [sip.scanner]: how the scanner defence treats out-of-dialog requests.
type ScannerConfig struct {
	// Rate is the out-of-dialog requests per second a source address may send, after Burst;
	// 0 turns the rate limit off (scanner User-Agents are still dropped).
	Rate int
	// Burst is how many a source may send at once.
	Burst int
	// UserAgents are more User-Agent substrings (case-insensitive) whose requests are
	// dropped unanswered, beside the built-in list of known scanners.
	UserAgents []string
	// Trusted are source networks ("192.168.1.0/24") or addresses never limited or
	// filtered: the indoor units and the PBX, when its address is not a literal registrar.
	Trusted []string
	// TrustedOnly answers out-of-dialog requests (OPTIONS, INVITE, ...) only from the
	// registrars and Trusted: the rest are dropped unanswered, so a scan of the network finds
	// no SIP device here. Calls from phones on the LAN then need their network in Trusted.
	TrustedOnly bool
}

// ScannerDefaults are the limits a door on a public address needs and a PBX never meets: a
// phone or PBX sends a handful of out-of-dialog requests per call.
func ScannerDefaults() ScannerConfig { return ScannerConfig{Rate: 10, Burst: 20} }

// maxScanRate bounds Rate and Burst: past it the limit protects nothing.
const maxScanRate = 100000

// Validate reports every problem in c, joined, with keys relative to [sip.scanner].
func (c ScannerConfig) Validate() error {
	var errs []error
	if c.Rate < 0 || c.Rate > maxScanRate {
		errs = append(errs, cfgerr.New("rate", "%d out of range (expected 0, for no limit, to %d requests per second)", c.Rate, maxScanRate))
	}
	if c.Rate > 0 && (c.Burst < 1 || c.Burst > maxScanRate) {
		errs = append(errs, cfgerr.New("burst", "%d out of range (expected 1 to %d requests)", c.Burst, maxScanRate))
	}
	for _, ua := range c.UserAgents {
		if strings.TrimSpace(ua) == "" {
			errs = append(errs, cfgerr.New("user_agents", "%s", "an empty entry would match every request (expected a User-Agent substring such as \"sipvicious\")"))
		}
	}
	for _, s := range c.Trusted {
		if _, err := parseTrusted(s); err != nil {
			errs = append(errs, cfgerr.New("trusted", "%w", err))
		}
	}
	return errors.Join(errs...)
}

// parseTrusted parses a network ("10.0.0.0/8") or one address ("192.0.2.7", a /32 or /128).
func parseTrusted(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not a network (expected e.g. \"192.168.1.0/24\")", s)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not an address or network (expected e.g. \"192.168.1.10\" or \"192.168.1.0/24\")", s)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}
