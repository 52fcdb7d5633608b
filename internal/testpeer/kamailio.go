package testpeer

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"text/template"
	"time"
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
	// Port fixes the listening port (to restart a registrar on the same address); 0 picks one.
	Port int
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
	if o.Password == "" {
		o.Password = "secret"
	}
	if o.Algorithm == "" {
		o.Algorithm = "MD5"
	}
	if o.MinExpires == 0 {
		o.MinExpires = 10
	}
	if o.MaxExpires == 0 {
		o.MaxExpires = 3600
	}
	mpath := kamailioModules()
	if mpath == "" {
		t.Skip("kamailio modules directory not found")
	}
	fixed := o.Port != 0
	for attempt := 0; ; attempt++ {
		if !fixed {
			o.Port = FreePort(t)
		}
		k, out, err := startKamailioOn(t, bin, mpath, o)
		if err == nil {
			return k
		}
		out.stop()
		// FreePort races with other processes on a busy machine: try another port.
		if !fixed && attempt < 3 && strings.Contains(out.String(), "in use") {
			continue
		}
		t.Fatalf("%v\nkamailio output:\n%s", err, out.String())
	}
}

func startKamailioOn(t testing.TB, bin, mpath string, o KamailioOptions) (*Kamailio, *syncBuffer, error) {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "kamailio.cfg")
	var b strings.Builder
	if err := kamailioTmpl.Execute(&b, map[string]any{"O": o, "MPath": mpath}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-f", cfg, "-DD", "-E", "-m", "32", "-M", "4",
		"-Y", dir, "-P", filepath.Join(dir, "kamailio.pid"), "-w", dir)
	out := start(t, "kamailio", cmd)
	k := &Kamailio{
		Addr:   netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(o.Port)),
		Domain: "127.0.0.1",
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

func kamailioModules() string {
	for _, d := range []string{
		"/usr/lib/x86_64-linux-gnu/kamailio/modules",
		"/usr/lib/aarch64-linux-gnu/kamailio/modules",
		"/usr/lib/arm-linux-gnueabihf/kamailio/modules",
		"/usr/lib/kamailio/modules",
		"/usr/local/lib64/kamailio/modules",
	} {
		if _, err := os.Stat(filepath.Join(d, "tm.so")); err == nil {
			return d
		}
	}
	matches, _ := filepath.Glob("/usr/lib/*/kamailio/modules/tm.so")
	if len(matches) > 0 {
		return filepath.Dir(matches[0])
	}
	return ""
}

var kamailioTmpl = template.Must(template.New("cfg").Parse(fmt.Sprint(`#!KAMAILIO
debug=2
log_stderror=yes
memdbg=5
memlog=5
children=2
tcp_children=2
auto_aliases=no
listen=udp:127.0.0.1:{{.O.Port}}
listen=tcp:127.0.0.1:{{.O.Port}}
mpath="{{.MPath}}"

loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "auth.so"

modparam("usrloc", "db_mode", 0)
modparam("registrar", "min_expires", {{.O.MinExpires}})
modparam("registrar", "max_expires", {{.O.MaxExpires}})
modparam("auth", "qop", "auth")
modparam("auth", "algorithm", "{{.O.Algorithm}}")
modparam("auth", "nonce_expire", 300)

request_route {
	xlog("L_INFO", "request $rm $ru from $si:$sp\n");
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	if (has_totag()) {
		if (loose_route()) {
			t_relay();
			exit;
		}
		if (is_method("ACK")) {
			if (t_check_trans()) {
				t_relay();
			} else if (uri == myself && lookup("location")) {
				forward();
			}
			exit;
		}
		# Peers that ignore the route set (sipp's built-in scenarios) send in-dialog
		# requests to the proxy's own URI: find the user again.
		if (uri == myself && lookup("location")) {
			t_relay();
			exit;
		}
		sl_send_reply("404", "Not here");
		exit;
	}
	if (is_method("CANCEL")) {
		if (t_check_trans()) {
			t_relay();
		}
		exit;
	}
	t_check_trans();
	if (is_method("OPTIONS") && $rU == $null) {
		sl_send_reply("200", "OK");
		exit;
	}
	if (is_method("REGISTER")) {
		if (!pv_www_authenticate("$td", "{{.O.Password}}", "0")) {
			if (is_present_hf("Authorization")) {
				sl_send_reply("403", "Forbidden");
				exit;
			}
			www_challenge("$td", "0");
			exit;
		}
		if (!save("location")) {
			sl_reply_error();
		}
		exit;
	}
{{if .O.AuthInvite}}
	if (is_method("INVITE") && $fd == "127.0.0.1" && !is_present_hf("Proxy-Authorization")) {
		proxy_challenge("$fd", "0");
		exit;
	}
	if (is_method("INVITE") && $fd == "127.0.0.1" && !pv_proxy_authenticate("$fd", "{{.O.Password}}", "0")) {
		sl_send_reply("403", "Forbidden");
		exit;
	}
	consume_credentials();
{{end}}
	record_route();
	if (!lookup("location")) {
		sl_send_reply("404", "Not Found");
		exit;
	}
	t_relay();
}
`)))
