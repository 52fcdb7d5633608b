package testpeer

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BaresipOptions shape the generated baresip config.
type BaresipOptions struct {
	// User is the account user; default "baresip".
	User string
	// Registrar, when set, registers User there with Password (e.g. a Kamailio's URI());
	// otherwise the account is userless on 127.0.0.1.
	Registrar string
	Password  string
	// AutoAnswer answers incoming calls at once.
	AutoAnswer bool
	// Dial, when set, is called at start-up (baresip's /dial).
	Dial string
	// ToneHz is the sine the call sends; default 440.
	ToneHz int
	// Watch are contacts baresip's presence module subscribes to directly (presence=p2p);
	// it logs "presence: update status of '<uri>' from '<old>' to '<new>'".
	Watch []string
	// MediaEnc is the account's media encryption: "srtp" (offered, plain accepted),
	// "srtp-mand" (SDES-SRTP only); empty: none.
	MediaEnc string
}

// Baresip is a running baresip.
type Baresip struct {
	// Addr is its SIP address (UDP and TCP).
	Addr netip.AddrPort
	// URI calls it directly: "sip:user@127.0.0.1:port".
	URI string
	// Output returns what baresip printed so far (useful to assert "Call established").
	Output func() string
	cons   int // the UDP console's port (with Watch)
}

// Contacts asks baresip's console for its contact list with each contact's presence
// ("Online", "Busy", "Offline", "Unknown"); only with Watch.
func (b *Baresip) Contacts(t testing.TB) string {
	t.Helper()
	if b.cons == 0 {
		t.Fatal("testpeer: Contacts needs BaresipOptions.Watch")
	}
	c, err := net.Dial("udp", fmt.Sprintf("127.0.0.1:%d", b.cons))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("/contacts\n")); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	buf := make([]byte, 4096)
	for {
		// The console answers in a few datagrams; a quiet half second ends the answer.
		_ = c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		n, err := c.Read(buf)
		if err != nil {
			return out.String()
		}
		out.Write(buf[:n])
	}
}

// StartBaresip starts baresip with G.711, a looping 8 kHz tone file as source and a null
// player.
func StartBaresip(t testing.TB, o BaresipOptions) *Baresip {
	t.Helper()
	bin := Require(t, "baresip")
	if o.User == "" {
		o.User = "baresip"
	}
	if o.ToneHz == 0 {
		o.ToneHz = 440
	}
	mods := baresipModules()
	if mods == "" {
		t.Skip("baresip modules directory not found")
	}
	port := FreePortPair(t) // SIP on port, TLS on port+1
	rtpLo, rtpHi := RTPRange(t)
	dir := t.TempDir()
	cfg := fmt.Sprintf(`poll_method		epoll
sip_listen		127.0.0.1:%d
net_interface		127.0.0.1
audio_player		aubridge,null
audio_source		aufile,%s
audio_alert		aubridge,null
rtp_ports		%d-%d
module_path		%s
module			g711.so
module			aufile.so
module			aubridge.so
module_app		account.so
module_app		menu.so
`, port, WriteToneWAV(t, filepath.Join(dir, "tone.wav"), o.ToneHz, 60), rtpLo, rtpHi, mods)
	var acct string
	if o.Registrar != "" {
		host := strings.TrimPrefix(o.Registrar, "sip:")
		acct = fmt.Sprintf("<sip:%s@%s>;auth_pass=%s;regint=60;outbound=\"%s\"", o.User, hostOnly(host), o.Password, o.Registrar)
	} else {
		acct = fmt.Sprintf("<sip:%s@127.0.0.1:%d>;regint=0", o.User, port)
	}
	if o.AutoAnswer {
		acct += ";answermode=auto"
	}
	if o.MediaEnc != "" {
		cfg += "module\t\t\tsrtp.so\n"
		acct += ";mediaenc=" + o.MediaEnc
	}
	contacts, consPort := "", 0
	if len(o.Watch) > 0 {
		cfg += "module_app\t\tcontact.so\nmodule_app\t\tpresence.so\nmodule\t\t\tcons.so\n"
		consPort = FreePort(t)
		cfg += fmt.Sprintf("cons_listen\t\t127.0.0.1:%d\n", consPort)
		for _, w := range o.Watch {
			contacts += fmt.Sprintf("\"watched\" <%s>;presence=p2p\n", w)
		}
	}
	for name, body := range map[string]string{"config": cfg, "accounts": acct + "\n", "contacts": contacts} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"-f", dir}
	if len(o.Watch) > 0 {
		args = append(args, "-v") // the presence module logs status changes at debug level
	}
	if o.Dial != "" {
		args = append(args, "-e", "/dial "+o.Dial)
	}
	out := start(t, "baresip", exec.Command(bin, args...))
	b := &Baresip{
		Addr:   netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port)),
		URI:    fmt.Sprintf("sip:%s@127.0.0.1:%d", o.User, port),
		Output: out.String,
		cons:   consPort,
	}
	if o.Dial == "" {
		if err := waitSIP(b.Addr.String(), 10*time.Second); err != nil {
			t.Fatalf("%v\nbaresip output:\n%s", err, out.String())
		}
	}
	return b
}

func hostOnly(hostport string) string {
	if i := strings.LastIndexByte(hostport, ':'); i > 0 && !strings.Contains(hostport[i:], "]") {
		return hostport[:i]
	}
	return hostport
}

func baresipModules() string {
	for _, d := range []string{"/usr/lib/baresip/modules", "/usr/local/lib/baresip/modules"} {
		if _, err := os.Stat(filepath.Join(d, "g711.so")); err == nil {
			return d
		}
	}
	return ""
}
