package testpeer

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/kamailio"
)

// KamailioOptions shape the generated kamailio.cfg.
type KamailioOptions struct {
	// Password is every user's digest password; default "secret".
	Password string
	// Algorithm is the digest algorithm challenged with: "MD5" (default) or "SHA-256".
	Algorithm string
	// AuthInvite makes the proxy challenge INVITEs from its domain with 407.
	AuthInvite bool
	// MinExpires and MaxExpires bound REGISTER expiry (seconds); defaults 10 and 3600.
	MinExpires, MaxExpires int
	// Presence makes it a presence server too (PUBLISH, SUBSCRIBE for presence).
	Presence bool
	// Port fixes the listening port (to restart a registrar on the same address); 0 picks one.
	Port int
	// IP is the loopback address it listens on (a second PBX at 127.0.0.2); default 127.0.0.1.
	IP netip.Addr
	// Relay relays requests for other hosts (a voicemail server) instead of answering 404.
	Relay bool
}

// Kamailio is a running registrar/proxy.
type Kamailio struct {
	// Addr is where it listens, UDP and TCP.
	Addr netip.AddrPort
	// Domain is its SIP domain (the IP, so no DNS is involved).
	Domain string
	// Output returns what Kamailio logged so far.
	Output func() string
	// Stop ends Kamailio now (it is also stopped on cleanup); a test restarts a registrar
	// with StartKamailio and the same Port.
	Stop func()
}

// URI is "sip:host:port" for the registrar setting.
func (k *Kamailio) URI() string { return "sip:" + k.Addr.String() }

// StartKamailio starts Kamailio with a generated config: REGISTER needs digest auth
// (www_challenge, qop=auth), registered users are found with lookup("location"), everything
// else is relayed statefully with record-routing. A wrong password gets 403.
func StartKamailio(t testing.TB, o KamailioOptions) *Kamailio {
	t.Helper()
	bin := Require(t, "kamailio")
	mods := kamailio.ModulesDir()
	if mods == "" {
		t.Skip("kamailio modules directory not found")
	}
	if o.Presence {
		if _, err := os.Stat(filepath.Join(mods, "presence.so")); err != nil {
			if os.Getenv("INTERCOM_REQUIRE_PEERS") == "1" {
				t.Fatalf("kamailio presence modules not installed and INTERCOM_REQUIRE_PEERS=1: %v", err)
			}
			t.Skipf("kamailio presence modules not installed (apt package kamailio-presence-modules): %v", err)
		}
	}
	fixed := o.Port != 0
	for attempt := 0; ; attempt++ {
		if !fixed {
			o.Port = FreePort(t)
		}
		k, out, err := startKamailioOn(t, bin, mods, o)
		if err == nil {
			return k
		}
		out.stop()
		// A program outside the allocator may have bound the port since: try another.
		if !fixed && attempt < 3 && strings.Contains(out.String(), "in use") {
			continue
		}
		t.Fatalf("%v\nkamailio output:\n%s", err, out.String())
	}
}

func startKamailioOn(t testing.TB, bin, mods string, o KamailioOptions) (*Kamailio, *syncBuffer, error) {
	t.Helper()
	ip := o.IP
	if !ip.IsValid() {
		ip = netip.MustParseAddr("127.0.0.1")
	}
	addr := netip.AddrPortFrom(ip, uint16(o.Port))
	args, err := kamailio.Write(t.TempDir(), kamailio.Config{
		Addr: addr, TCP: true, ModulesDir: mods,
		Password: o.Password, Algorithm: o.Algorithm, MinExpires: o.MinExpires, MaxExpires: o.MaxExpires,
		Proxy: true, AuthInvite: o.AuthInvite, Trace: true, Presence: o.Presence, Relay: o.Relay,
	})
	if err != nil {
		t.Fatal(err)
	}
	out := start(t, "kamailio", exec.Command(bin, args...))
	k := &Kamailio{
		Addr:   addr,
		Domain: ip.String(),
		Output: out.String,
		Stop:   out.stop,
	}
	if err := waitSIP(k.Addr.String(), 10*time.Second); err != nil {
		return nil, out, err
	}
	if strings.Contains(out.String(), "in use") {
		// Something else answered on that port; ours could not bind.
		return nil, out, fmt.Errorf("testpeer: kamailio could not bind %s", k.Addr)
	}
	return k, out, nil
}
