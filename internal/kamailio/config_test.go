package kamailio_test

import (
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/doorsip/intercom/internal/kamailio"
	"github.com/doorsip/intercom/internal/testpeer"
)

// shapes are the three in use: testpeer's proxy, the reliability suite's traced registrar and
// the benchmark's bare registrar.
func shapes() map[string]kamailio.Config {
	return map[string]kamailio.Config{
		"proxy":     {TCP: true, Proxy: true, Trace: true, AuthInvite: true, Algorithm: "SHA-256"},
		"traced":    {Proxy: true, Trace: true},
		"registrar": {Password: "pw", MinExpires: 30},
	}
}

func TestWrite(t *testing.T) {
	for name, c := range shapes() {
		t.Run(name, func(t *testing.T) {
			c.Addr = netip.MustParseAddrPort("127.0.0.1:5099")
			c.ModulesDir = "/mods"
			dir := t.TempDir()
			args, err := kamailio.Write(dir, c)
			if err != nil {
				t.Fatal(err)
			}
			if args[0] != "-f" || !strings.HasPrefix(args[1], dir) {
				t.Fatalf("args %q do not start with -f <dir>/kamailio.cfg", args)
			}
			b, err := os.ReadFile(args[1])
			if err != nil {
				t.Fatal(err)
			}
			cfg := string(b)
			for _, want := range []string{"listen=udp:127.0.0.1:5099\n", `mpath="/mods"`, "www_challenge", `save("location")`} {
				if !strings.Contains(cfg, want) {
					t.Errorf("missing %q in\n%s", want, cfg)
				}
			}
			has := map[string]bool{
				"listen=tcp:":       c.TCP,
				"t_relay();":        c.Proxy,
				"proxy_challenge":   c.AuthInvite,
				"SAVED at=":         c.Trace,
				"request $rm":       c.Trace,
				`"algorithm", "SHA`: c.Algorithm == "SHA-256",
				`"secret"`:          c.Password == "",
			}
			for s, want := range has {
				if strings.Contains(cfg, s) != want {
					t.Errorf("%q in config: got %v, want %v", s, !want, want)
				}
			}
		})
	}
}

// TestConfigsParse has Kamailio itself check each shape (kamailio -c loads the modules too).
func TestConfigsParse(t *testing.T) {
	bin := testpeer.Require(t, "kamailio")
	mods := kamailio.ModulesDir()
	if mods == "" {
		t.Skip("kamailio modules directory not found")
	}
	for name, c := range shapes() {
		t.Run(name, func(t *testing.T) {
			c.Addr = netip.MustParseAddrPort("127.0.0.1:5099")
			c.ModulesDir = mods
			args, err := kamailio.Write(t.TempDir(), c)
			if err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(bin, "-c", "-f", args[1]).CombinedOutput(); err != nil {
				t.Fatalf("kamailio -c: %v\n%s", err, out)
			}
		})
	}
}
