package sip

import (
	"errors"
	"fmt"
	"github.com/doorsip/intercom/internal/cfgerr"
	"net/netip"
	"strings"
	"time"
)

// Config is the [sip] section and the [[account]] list of the config file.
type Config struct {
	// Listen is host:port for UDP and TCP (and TLS on port+1 unless TLS.Listen is set).
	Listen string
	// Transports enables "udp", "tcp" and "tls".
	Transports []string
	// DisplayName goes into From and Contact.
	DisplayName string
	// UserAgent is sent in User-Agent and Server headers; empty (the default) sends neither,
	// so the device does not name its product and version to whoever probes it.
	UserAgent string
	TLS       TLSConfig
	// Accounts are the registrations; none means userless (direct IP) mode.
	Accounts []Account
	// Keepalive is the NAT keepalive interval (CRLF on UDP/TCP); 0 disables it.
	Keepalive time.Duration
	// NAT is NATAuto (default), NATFixed or NATOff (nat.go).
	NAT string
	// PublicAddress is the router's public IP (or IP:port for SIP) with NAT = NATFixed.
	PublicAddress string
	// SessionExpires is the RFC 4028 session interval we ask for; 0 disables session timers.
	SessionExpires time.Duration
	// MinSE is our RFC 4028 Min-SE.
	MinSE time.Duration
	// Scanner limits out-of-dialog requests per source ([sip.scanner]).
	Scanner ScannerConfig
	// Events is who may subscribe to the door's state, and PUBLISH ([sip.events]).
	Events EventsConfig
}

// TLSConfig is [sip.tls].
type TLSConfig struct {
	Listen string // host:port; empty = Listen's host with port+1
	Cert   string
	Key    string
	CA     string
}

// Account is one [[account]].
type Account struct {
	ID              string
	Registrar       string // sip:host[:port][;transport=tcp]
	BackupRegistrar string
	User            string
	AuthUser        string // defaults to User
	Password        string
	Domain          string // AOR domain; defaults to the registrar's host
	Expires         time.Duration
	// The backup registrar's own credentials, where it is another PBX: each empty one
	// takes the primary's (BackupAuthUser defaults to BackupUser when that is set).
	BackupUser     string
	BackupAuthUser string
	BackupPassword string // never logged
}

// Defaults returns the Config used for keys the file leaves out.
func Defaults() Config {
	return Config{
		Listen:         "0.0.0.0:5060",
		Transports:     []string{"udp", "tcp"},
		DisplayName:    "Door",
		UserAgent:      "", // no User-Agent or Server: nothing tells a scanner what answers
		Keepalive:      15 * time.Second,
		NAT:            NATAuto,
		SessionExpires: 1800 * time.Second,
		MinSE:          90 * time.Second,
		Scanner:        ScannerDefaults(),
		Events:         EventsDefaults(),
	}
}

// AccountDefaults returns the values an [[account]] gets for keys it leaves out.
func AccountDefaults() Account { return Account{Expires: 300 * time.Second} }

// Validate reports every problem in c, joined.
func (c Config) Validate() error {
	var errs []error
	if _, err := netip.ParseAddrPort(c.Listen); err != nil {
		errs = append(errs, cfgerr.New("listen", "%q is not host:port (expected e.g. \"0.0.0.0:5060\")", c.Listen))
	}
	if len(c.Transports) == 0 {
		errs = append(errs, cfgerr.New("transports", "%s", "empty (expected some of \"udp\", \"tcp\", \"tls\")"))
	}
	for _, t := range c.Transports {
		switch t {
		case "udp", "tcp":
		case "tls":
			if c.TLS.Cert == "" || c.TLS.Key == "" {
				errs = append(errs, cfgerr.New("transports", "%s", "\"tls\" needs [sip.tls] cert and key"))
			}
		default:
			errs = append(errs, cfgerr.New("transports", "unknown transport %q (expected \"udp\", \"tcp\" or \"tls\")", t))
		}
	}
	if c.Keepalive < 0 {
		errs = append(errs, cfgerr.New("keepalive", "%s", "must not be negative"))
	}
	errs = append(errs, c.validateNAT()...)
	if c.SessionExpires != 0 && c.SessionExpires < c.MinSE {
		errs = append(errs, cfgerr.New("session_expires", "%s is below min_se %s", c.SessionExpires, c.MinSE))
	}
	if err := c.Scanner.Validate(); err != nil {
		errs = append(errs, cfgerr.Prefix("scanner.", err))
	}
	if err := c.Events.Validate(); err != nil {
		errs = append(errs, cfgerr.Prefix("events.", err))
	}
	if c.Events.Publish && len(c.Accounts) == 0 {
		errs = append(errs, cfgerr.New("events.publish", "%s", "needs an [[account]] (PUBLISH goes to its registrar)"))
	}
	ids := map[string]bool{}
	for i, a := range c.Accounts {
		if ids[a.ID] {
			errs = append(errs, cfgerr.New(fmt.Sprintf("account[%d].id", i), "%q used twice (expected a unique id)", a.ID))
		}
		ids[a.ID] = true
		if err := a.Validate(); err != nil {
			errs = append(errs, cfgerr.Prefix(fmt.Sprintf("account[%d].", i), err))
		}
	}
	return errors.Join(errs...)
}

// Validate checks one account.
func (a Account) Validate() error {
	var errs []error
	if a.ID == "" {
		errs = append(errs, cfgerr.New("id", "%s", "missing (expected a short name such as \"pbx\")"))
	}
	if _, err := ParseURI(a.Registrar); err != nil {
		errs = append(errs, cfgerr.New("registrar", "%s", err.Error()))
	}
	if a.BackupRegistrar != "" {
		if _, err := ParseURI(a.BackupRegistrar); err != nil {
			errs = append(errs, cfgerr.New("backup_registrar", "%s", err.Error()))
		}
	}
	if a.BackupRegistrar == "" {
		for _, k := range []struct{ key, v string }{
			{"backup_user", a.BackupUser}, {"backup_auth_user", a.BackupAuthUser}, {"backup_password", a.BackupPassword},
		} {
			if k.v != "" {
				errs = append(errs, cfgerr.New(k.key, "%s", "set without backup_registrar (expected a backup_registrar for these credentials)"))
			}
		}
	}
	if a.User == "" {
		errs = append(errs, cfgerr.New("user", "%s", "missing (expected the extension or user name)"))
	}
	if a.Expires < 10*time.Second {
		errs = append(errs, cfgerr.New("expires", "%s is too short (expected at least 10s)", a.Expires))
	}
	return errors.Join(errs...)
}

// URI is a parsed sip: or sips: URI, enough for configuration checks and dialing.
type URI struct {
	Scheme    string // "sip" or "sips"
	User      string
	Host      string
	Port      int // 0 = default (DNS SRV / 5060)
	Transport string
}

// ParseURI parses "sip:[user@]host[:port][;transport=udp|tcp|tls]".
func ParseURI(s string) (URI, error) {
	var u URI
	rest, ok := strings.CutPrefix(s, "sip:")
	u.Scheme = "sip"
	if !ok {
		if rest, ok = strings.CutPrefix(s, "sips:"); !ok {
			return u, fmt.Errorf("%q is not a SIP URI (expected sip:[user@]host[:port])", s)
		}
		u.Scheme = "sips"
	}
	params := ""
	if i := strings.IndexByte(rest, ';'); i >= 0 {
		rest, params = rest[:i], rest[i+1:]
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		u.User, rest = rest[:i], rest[i+1:]
		if u.User == "" {
			return u, fmt.Errorf("%q has an empty user part", s)
		}
	}
	host, port := rest, ""
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return u, fmt.Errorf("%q has an unclosed IPv6 bracket", s)
		}
		host, port = rest[1:end], strings.TrimPrefix(rest[end+1:], ":")
	} else if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		host, port = rest[:i], rest[i+1:]
		if port == "" {
			return u, fmt.Errorf("%q has an empty port", s)
		}
	}
	if host == "" || strings.ContainsAny(host, " /?<>\"") {
		return u, fmt.Errorf("%q has no valid host", s)
	}
	u.Host = host
	if port != "" {
		p := 0
		for _, c := range port {
			if c < '0' || c > '9' {
				return u, fmt.Errorf("%q: port %q is not a number", s, port)
			}
			p = p*10 + int(c-'0')
			if p > 65535 {
				return u, fmt.Errorf("%q: port %s out of range", s, port)
			}
		}
		if p == 0 {
			return u, fmt.Errorf("%q: port 0 is not allowed", s)
		}
		u.Port = p
	}
	for _, kv := range strings.Split(params, ";") {
		if v, ok := strings.CutPrefix(strings.ToLower(kv), "transport="); ok {
			switch v {
			case "udp", "tcp", "tls":
				u.Transport = v
			default:
				return u, fmt.Errorf("%q: unknown transport %q (expected udp, tcp or tls)", s, v)
			}
		}
	}
	return u, nil
}

// natMode is NAT with the default filled in (a Config built without Defaults).
func (c Config) natMode() string {
	if c.NAT == "" {
		return NATAuto
	}
	return c.NAT
}

// validateNAT checks nat and public_address together.
func (c Config) validateNAT() []error {
	var errs []error
	switch c.natMode() {
	case NATAuto, NATOff:
		if c.PublicAddress != "" {
			errs = append(errs, cfgerr.New("public_address", "%s", "is used only with nat = \"fixed\""))
		}
	case NATFixed:
		p, ok := parsePublic(c.PublicAddress, 0)
		switch {
		case c.PublicAddress == "":
			errs = append(errs, cfgerr.New("nat", "%s", "\"fixed\" needs public_address (the router's public IP)"))
		case !ok || p.ip.IsUnspecified():
			errs = append(errs, cfgerr.New("public_address", "%q is not an IP address or IP:port (expected e.g. \"203.0.113.7\")", c.PublicAddress))
		}
	default:
		errs = append(errs, cfgerr.New("nat", "unknown mode %q (expected \"auto\", \"fixed\" or \"off\")", c.NAT))
	}
	return errs
}
