package mqtt

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/doorsip/intercom/internal/cfgerr"
)

// Config is [mqtt]. The client is off unless Broker is set.
type Config struct {
	Broker   string // mqtt://, tcp://, mqtts://, ssl://, ws:// or wss:// host:port
	Username string
	Password string // from password or password_file; never logged
	CA       string // path of a PEM CA bundle that signs the broker's certificate
	CAPEM    []byte // its contents, read by config/; empty: the system roots
	ClientID string
	// TopicPrefix is where events, state and commands live: <prefix>/event/<kind>,
	// <prefix>/state, <prefix>/availability, <prefix>/cmd/<op>.
	TopicPrefix     string
	Discovery       bool   // publish Home Assistant discovery
	DiscoveryPrefix string // Home Assistant's discovery prefix
	// Commands lets messages on the command topics open the door and place calls. Off by
	// default: a broker is often shared with devices nobody audits.
	Commands bool
	QoS      int
	Retain   bool // retain event messages (state, discovery and availability always are)
}

// Defaults are the values a file without the keys gets. ClientID and TopicPrefix depend on
// the host name, which config/ fills in.
func Defaults() Config {
	return Config{Discovery: true, DiscoveryPrefix: "homeassistant", QoS: 1}
}

// Enabled reports whether a broker is configured.
func (c Config) Enabled() bool { return c.Broker != "" }

// Validate checks c. Keys are relative to [mqtt].
func (c Config) Validate() error {
	var errs []error
	add := func(key, format string, args ...any) { errs = append(errs, cfgerr.New(key, format, args...)) }
	if c.Broker != "" {
		if _, err := brokerURL(c.Broker); err != nil {
			add("broker", "%v", err)
		}
	}
	if c.QoS < 0 || c.QoS > 2 {
		add("qos", "%d is not a QoS level (expected 0, 1 or 2)", c.QoS)
	}
	if err := checkTopic(c.TopicPrefix); err != nil && c.Enabled() {
		add("topic_prefix", "%v", err)
	}
	if err := checkTopic(c.DiscoveryPrefix); err != nil && c.Discovery {
		add("discovery_prefix", "%v", err)
	}
	if c.Enabled() && c.ClientID == "" {
		add("client_id", "empty (expected a name the broker knows this door by)")
	}
	if len(c.CAPEM) > 0 && !x509.NewCertPool().AppendCertsFromPEM(c.CAPEM) {
		add("ca", "%s holds no PEM certificate", c.CA)
	}
	if c.Password != "" && c.Username == "" {
		add("username", "empty while a password is set (expected the broker user)")
	}
	if c.Commands && c.Username == "" && c.Enabled() {
		// Anyone who can reach an anonymous broker could open the door.
		add("commands", "true needs a username and password (expected an authenticated broker user)")
	}
	return errors.Join(errs...)
}

// brokerURL parses a broker address into the form the client library dials: the mqtt and
// mqtts spellings become tcp and ssl.
func brokerURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%q is not a broker URL (expected e.g. \"mqtts://broker.lan:8883\")", s)
	}
	switch u.Scheme {
	case "mqtt", "tcp":
		u.Scheme = "tcp"
	case "mqtts", "ssl", "tls":
		u.Scheme = "ssl"
	case "ws", "wss":
	default:
		return nil, fmt.Errorf("scheme %q of %q is not one of mqtt, tcp, mqtts, ssl, ws, wss", u.Scheme, s)
	}
	if u.Port() == "" {
		return nil, fmt.Errorf("%q has no port (expected e.g. :1883, or :8883 for TLS)", s)
	}
	return u, nil
}

// checkTopic accepts a topic prefix: non-empty, no wildcards, no empty levels, no NUL.
func checkTopic(t string) error {
	switch {
	case t == "":
		return fmt.Errorf("empty (expected a topic such as \"intercom/frontdoor\")")
	case strings.ContainsAny(t, "+#\x00"):
		return fmt.Errorf("%q holds a wildcard or NUL (expected a plain topic)", t)
	case strings.HasPrefix(t, "/") || strings.HasSuffix(t, "/") || strings.Contains(t, "//"):
		return fmt.Errorf("%q has an empty level (expected no leading, trailing or double /)", t)
	case len(t) > 200:
		return fmt.Errorf("is %d bytes long (expected at most 200)", len(t))
	}
	return nil
}

// NodeID is s reduced to what Home Assistant accepts in a discovery topic and unique_id.
func NodeID(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "intercom"
	}
	return b.String()
}
