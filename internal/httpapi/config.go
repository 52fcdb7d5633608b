package httpapi

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/doorsip/intercom/internal/cfgerr"
)

// Privilege is what a user may do.
type Privilege string

// Privileges, each a group of API paths.
const (
	PrivStatus Privilege = "status" // system, switch and io status and caps, call status
	PrivDoor   Privilege = "door"   // switch/ctrl: open the door
	PrivCall   Privilege = "call"   // call/dial, answer, hangup
	PrivLog    Privilege = "log"    // log/subscribe, pull, unsubscribe
)

var allPrivileges = []Privilege{PrivStatus, PrivDoor, PrivCall, PrivLog}

// User is one [[http.user]].
type User struct {
	Name       string
	Password   string // from password or password_file; never logged
	Privileges []Privilege
}

// Can reports whether u holds p.
func (u User) Can(p Privilege) bool { return slices.Contains(u.Privileges, p) }

// Config is [http]. The API is off unless at least one user is configured.
type Config struct {
	Listen string // host:port
	// TLSCert and TLSKey are PEM files; both empty: a self-signed certificate made at first
	// start and kept in StateDir.
	TLSCert, TLSKey string
	StateDir        string
	// Digest lists the Digest algorithms offered, in the order of the challenges (clients
	// take the first they support). Python's urllib knows only MD5.
	Digest []string
	Users  []User
}

// Defaults are the values a file without the keys gets.
func Defaults() Config {
	return Config{Listen: "0.0.0.0:443", StateDir: "/var/lib/intercom", Digest: []string{"SHA-256", "MD5"}}
}

// Enabled reports whether the API is to be served.
func (c Config) Enabled() bool { return len(c.Users) > 0 }

// Validate checks c. Keys are relative to [http].
func (c Config) Validate() error {
	var errs []error
	add := func(key, format string, args ...any) { errs = append(errs, cfgerr.New(key, format, args...)) }
	if _, err := netip.ParseAddrPort(c.Listen); err != nil && c.Enabled() {
		add("listen", "%q is not an address:port (expected e.g. \"0.0.0.0:443\")", c.Listen)
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		add("tls_cert", "tls_cert and tls_key go together (expected both, or neither for a self-signed certificate)")
	}
	if c.TLSCert == "" && c.StateDir == "" && c.Enabled() {
		add("state_dir", "empty (expected the directory that keeps the self-signed certificate)")
	}
	if len(c.Digest) == 0 {
		add("digest", "empty (expected \"SHA-256\", \"MD5\" or both)")
	}
	for _, a := range c.Digest {
		if _, ok := digestHash(a); !ok {
			add("digest", "%q is not a digest algorithm (expected SHA-256 or MD5)", a)
		}
	}
	names := map[string]bool{}
	for i, u := range c.Users {
		key := fmt.Sprintf("user[%d].", i)
		switch {
		case u.Name == "" || strings.ContainsAny(u.Name, ":\"\\") || len(u.Name) > 64:
			add(key+"name", "%q is not a user name (expected 1-64 characters without : \" or \\)", u.Name)
		case names[u.Name]:
			add(key+"name", "%q is used by an earlier user", u.Name)
		}
		names[u.Name] = true
		if len(u.Password) < 8 {
			add(key+"password", "shorter than 8 characters (expected a password that resists guessing)")
		}
		if len(u.Privileges) == 0 {
			add(key+"privileges", "empty (expected some of: status, door, call, log)")
		}
		for _, p := range u.Privileges {
			if !slices.Contains(allPrivileges, p) {
				add(key+"privileges", "%q is not a privilege (expected status, door, call or log)", p)
			}
		}
	}
	return errors.Join(errs...)
}
