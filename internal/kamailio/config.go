package kamailio

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"text/template"
)

// Config shapes the generated kamailio.cfg. REGISTER always needs digest auth (qop=auth) and
// a wrong password gets 403.
type Config struct {
	// Addr is where it listens: UDP, and TCP as well when TCP is set.
	Addr netip.AddrPort
	TCP  bool
	// ModulesDir is Kamailio's module directory (see ModulesDir).
	ModulesDir string
	// Password is every user's digest password; default "secret".
	Password string
	// Algorithm is the digest algorithm challenged with: "MD5" (default) or "SHA-256".
	Algorithm string
	// MinExpires and MaxExpires bound REGISTER expiry (seconds); defaults 10 and 3600.
	MinExpires, MaxExpires int
	// Proxy relays requests to registered users with record-routing. Without it only
	// REGISTER and OPTIONS are answered and the rest gets 404: the benchmark's sipp calls
	// each peer directly, and a proxy hop would add Kamailio's time to both sides.
	Proxy bool
	// AuthInvite (with Proxy) challenges INVITEs from its own domain (Addr's IP) with 407.
	AuthInvite bool
	// Trace logs every request ("request REGISTER ...") and every saved binding
	// ("SAVED at=<sec>.<usec> contact=<Contact>"), which tests count and time; off, Kamailio
	// logs only warnings and errors, which keeps it out of the benchmark's CPU figures.
	Trace bool
	// Presence (with Proxy) makes Kamailio a presence server: PUBLISH (digest-challenged
	// like REGISTER) and SUBSCRIBE for the presence event are handled by its presence
	// modules (db_text tables in the run directory); SUBSCRIBEs for other events are
	// proxied to the registered user as before.
	Presence bool
	// Relay (with Proxy) relays a request for another host (a voicemail server at its own
	// address) record-routed, where it would otherwise look the user up among its bindings.
	Relay bool
	// DBDir is set by Write: the db_text directory.
	DBDir string
}

// Write writes kamailio.cfg into dir and returns the arguments that run Kamailio on it in the
// foreground, logging to stderr, with its pid file and working directory in dir.
func Write(dir string, c Config) ([]string, error) {
	if c.Password == "" {
		c.Password = "secret"
	}
	if c.Algorithm == "" {
		c.Algorithm = "MD5"
	}
	if c.MinExpires == 0 {
		c.MinExpires = 10
	}
	if c.MaxExpires == 0 {
		c.MaxExpires = 3600
	}
	if c.Presence {
		c.DBDir = filepath.Join(dir, "db")
		if err := writePresenceTables(c.DBDir); err != nil {
			return nil, err
		}
	}
	// Parsed per call rather than held in a package variable: it runs once per Kamailio.
	tmpl, err := template.New("kamailio.cfg").Parse(cfgTemplate)
	if err != nil {
		return nil, fmt.Errorf("kamailio: %w", err)
	}
	var b strings.Builder
	if err := tmpl.Execute(&b, c); err != nil {
		return nil, fmt.Errorf("kamailio: %w", err)
	}
	cfg := filepath.Join(dir, "kamailio.cfg")
	if err := os.WriteFile(cfg, []byte(b.String()), 0o644); err != nil {
		return nil, fmt.Errorf("kamailio: %w", err)
	}
	return []string{"-f", cfg, "-DD", "-E", "-m", "32", "-M", "4",
		"-Y", dir, "-P", filepath.Join(dir, "kamailio.pid"), "-w", dir}, nil
}

// ModulesDir finds Kamailio's module directory in the usual Debian, Raspberry Pi OS and
// source-install places, or returns "".
func ModulesDir() string {
	for _, d := range []string{
		"/usr/lib/x86_64-linux-gnu/kamailio/modules",
		"/usr/lib/aarch64-linux-gnu/kamailio/modules",
		"/usr/lib/arm-linux-gnueabihf/kamailio/modules",
		"/usr/lib/kamailio/modules",
		"/usr/local/lib64/kamailio/modules",
	} {
		if _, err := os.Stat(filepath.Join(d, "registrar.so")); err == nil {
			return d
		}
	}
	if m, _ := filepath.Glob("/usr/lib/*/kamailio/modules/registrar.so"); len(m) > 0 {
		return filepath.Dir(m[0])
	}
	return ""
}
