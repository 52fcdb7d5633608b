package sip

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/doorsip/intercom/internal/cfgerr"
)

// EventsConfig is [sip.events]: who may subscribe to the door's state (RFC 6665 SUBSCRIBE
// for the dialog and presence packages), and whether the door PUBLISHes its presence.
type EventsConfig struct {
	// AllowFrom names the subscribers: SIP URIs matched against From ("sip:101@pbx.example";
	// a URI without a user, "sip:pbx.example", admits every user there) or source networks
	// and addresses ("192.168.1.0/24"). Empty: SUBSCRIBE is refused with 489 as if the door
	// had no event packages, so nobody learns its state until someone is named here.
	AllowFrom []string
	// Packages are the event packages served: "dialog" (RFC 4235, what BLF keys use) and
	// "presence" (RFC 3856, PIDF).
	Packages []string
	// ExposeRemote puts the far end's URI into dialog-info <remote> (phones show who rings).
	ExposeRemote bool
	// MaxSubscriptions bounds the table; MaxPerSource bounds what one source address holds.
	MaxSubscriptions int
	MaxPerSource     int
	// MinExpires is the shortest subscription granted (shorter: 423); MaxExpires the longest
	// (longer requests are granted MaxExpires).
	MinExpires time.Duration
	MaxExpires time.Duration
	// Publish sends the door's presence with PUBLISH (RFC 3903) to the first account's
	// registrar, refreshed before PublishExpires runs out.
	Publish        bool
	PublishExpires time.Duration
	// MWI are voicemail boxes the indoor unit subscribes to for message-summary (RFC 3842),
	// through the first account's registrar, or straight to the box's host without one.
	MWI []string
}

// EventsDefaults: both packages, no subscriber admitted until AllowFrom names one.
func EventsDefaults() EventsConfig {
	return EventsConfig{
		Packages:         []string{"dialog", "presence"},
		MaxSubscriptions: 32,
		MaxPerSource:     8,
		MinExpires:       60 * time.Second,
		MaxExpires:       3600 * time.Second,
		PublishExpires:   600 * time.Second,
	}
}

const maxSubscriptionsLimit = 10000

// Validate reports every problem in c, joined, with keys relative to [sip.events].
func (c EventsConfig) Validate() error {
	var errs []error
	for _, s := range c.AllowFrom {
		if _, err := parseTrusted(s); err == nil {
			continue
		}
		if _, err := ParseURI(s); err != nil {
			errs = append(errs, cfgerr.New("allow_from", "%q is neither a SIP URI nor a network (expected e.g. \"sip:101@pbx.example\" or \"192.168.1.0/24\")", s))
		}
	}
	seen := map[string]bool{}
	for _, p := range c.Packages {
		if packageByName(p) == 0 {
			errs = append(errs, cfgerr.New("packages", "unknown event package %q (expected \"dialog\" or \"presence\")", p))
		}
		if seen[p] {
			errs = append(errs, cfgerr.New("packages", "%q listed twice", p))
		}
		seen[p] = true
	}
	if c.MaxSubscriptions < 1 || c.MaxSubscriptions > maxSubscriptionsLimit {
		errs = append(errs, cfgerr.New("max_subscriptions", "%d out of range (expected 1 to %d)", c.MaxSubscriptions, maxSubscriptionsLimit))
	}
	if c.MaxPerSource < 1 || c.MaxPerSource > max(c.MaxSubscriptions, 1) {
		errs = append(errs, cfgerr.New("max_per_source", "%d out of range (expected 1 to max_subscriptions %d)", c.MaxPerSource, c.MaxSubscriptions))
	}
	if c.MinExpires < time.Second {
		errs = append(errs, cfgerr.New("min_expires", "%s is too short (expected at least 1s)", c.MinExpires))
	}
	if c.MaxExpires < c.MinExpires || c.MaxExpires > 24*time.Hour {
		errs = append(errs, cfgerr.New("max_expires", "%s out of range (expected min_expires %s to 24h)", c.MaxExpires, c.MinExpires))
	}
	if c.PublishExpires < 60*time.Second || c.PublishExpires > 24*time.Hour {
		errs = append(errs, cfgerr.New("publish_expires", "%s out of range (expected 60s to 24h)", c.PublishExpires))
	}
	for _, s := range c.MWI {
		if _, err := ParseURI(s); err != nil {
			errs = append(errs, cfgerr.New("mwi", "%w", err))
		}
	}
	return errors.Join(errs...)
}

// allowList is a parsed AllowFrom.
type allowList struct {
	nets []netip.Prefix
	uris []string // uriKey form: "user@host" or "host"
}

func newAllowList(entries []string) allowList {
	var l allowList
	for _, s := range entries {
		if p, err := parseTrusted(s); err == nil {
			l.nets = append(l.nets, p)
			continue
		}
		l.uris = append(l.uris, uriKey(s))
	}
	return l
}

func (l allowList) empty() bool { return len(l.nets) == 0 && len(l.uris) == 0 }

// allows reports whether a subscriber with From uri, sending from src, is named.
func (l allowList) allows(uri string, src netip.Addr) bool {
	src = src.Unmap()
	for _, p := range l.nets {
		if src.IsValid() && p.Contains(src) {
			return true
		}
	}
	key := uriKey(uri)
	host := key
	if i := strings.LastIndexByte(key, '@'); i >= 0 {
		host = key[i+1:]
	}
	for _, k := range l.uris {
		if k == key || k == host {
			return true
		}
	}
	return false
}

// uriKey reduces a SIP URI to what allow lists compare: "user@host" with the host in lower
// case, or "host" without a user; scheme, port and parameters are dropped because a PBX may
// present one subscriber with another transport or port.
func uriKey(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '<'); i >= 0 {
		s = s[i+1:]
		if j := strings.IndexByte(s, '>'); j >= 0 {
			s = s[:j]
		}
	}
	if len(s) >= 4 && strings.EqualFold(s[:4], "sip:") {
		s = s[4:]
	} else if len(s) >= 5 && strings.EqualFold(s[:5], "sips:") {
		s = s[5:]
	}
	if i := strings.IndexAny(s, ";?"); i >= 0 {
		s = s[:i]
	}
	user, host := "", s
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		user, host = s[:i], s[i+1:]
	}
	if strings.HasPrefix(host, "[") {
		if i := strings.IndexByte(host, ']'); i >= 0 {
			host = host[:i+1]
		}
	} else if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	host = strings.ToLower(host)
	if user == "" {
		return host
	}
	return user + "@" + host
}

// eventPackage is an event package we serve.
type eventPackage int

const (
	pkgDialog eventPackage = iota + 1
	pkgPresence
)

func packageByName(s string) eventPackage {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "dialog":
		return pkgDialog
	case "presence":
		return pkgPresence
	}
	return 0
}

func (p eventPackage) String() string {
	switch p {
	case pkgDialog:
		return "dialog"
	case pkgPresence:
		return "presence"
	}
	return fmt.Sprintf("package(%d)", int(p))
}

// contentType is the body type of the package's NOTIFYs.
func (p eventPackage) contentType() string {
	if p == pkgDialog {
		return "application/dialog-info+xml"
	}
	return "application/pidf+xml"
}
