//go:build linux

package reliability

import (
	"encoding/binary"
	"fmt"
	"math"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/control"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/kamailio"
	"github.com/doorsip/intercom/internal/testpeer"
	"github.com/doorsip/intercom/media"
)

// natNet is a home network behind a router that masquerades, and a public network:
//
//	home (door 192.168.77.2) -- router (192.168.77.1 | 203.0.113.1, MASQUERADE) -- public (203.0.113.2: Kamailio, baresip)
//
// The public side has no route to 192.168.77.0/24: a private address in a Contact or SDP
// leads nowhere, as on the Internet. Cleanup deletes the namespaces (and their veths).
type natNet struct {
	home, router, public string
	routerOut            string // the router's interface on the public side
}

const (
	natDoorIP   = "192.168.77.2"
	natRouterIn = "192.168.77.1"
	natRouterIP = "203.0.113.1"
	natPublicIP = "203.0.113.2"
)

func newNATNet(t *testing.T) *natNet {
	t.Helper()
	needRoot(t, "ip", "iptables")
	id := fmt.Sprintf("%d%d", os.Getpid()%100000, time.Now().UnixNano()%1000)
	n := &natNet{home: "inatH" + id, router: "inatR" + id, public: "inatP" + id}
	vh, vrh, vrp, vp := "inh"+id, "inrh"+id, "inrp"+id, "inp"+id
	for _, v := range []*string{&vh, &vrh, &vrp, &vp} {
		if len(*v) > 15 {
			*v = (*v)[:15]
		}
	}
	n.routerOut = vrp
	t.Cleanup(func() {
		for _, ns := range []string{n.home, n.router, n.public} {
			_ = exec.Command("ip", "netns", "del", ns).Run()
		}
	})
	ip := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			if os.Getenv("INTERCOM_REQUIRE_PEERS") != "1" && args[0] == "netns" && args[1] == "add" {
				t.Skipf("ip %v: %v: %s", args, err, out)
			}
			t.Fatalf("ip %v: %v: %s", args, err, out)
		}
	}
	for _, ns := range []string{n.home, n.router, n.public} {
		ip("netns", "add", ns)
		ip("-n", ns, "link", "set", "lo", "up")
	}
	ip("link", "add", vh, "type", "veth", "peer", "name", vrh)
	ip("link", "add", vp, "type", "veth", "peer", "name", vrp)
	ip("link", "set", vh, "netns", n.home)
	ip("link", "set", vrh, "netns", n.router)
	ip("link", "set", vrp, "netns", n.router)
	ip("link", "set", vp, "netns", n.public)
	ip("-n", n.home, "addr", "add", natDoorIP+"/24", "dev", vh)
	ip("-n", n.router, "addr", "add", natRouterIn+"/24", "dev", vrh)
	ip("-n", n.router, "addr", "add", natRouterIP+"/24", "dev", vrp)
	ip("-n", n.public, "addr", "add", natPublicIP+"/24", "dev", vp)
	for ns, v := range map[string][]string{n.home: {vh}, n.router: {vrh, vrp}, n.public: {vp}} {
		for _, dev := range v {
			ip("-n", ns, "link", "set", dev, "up")
		}
	}
	ip("-n", n.home, "route", "add", "default", "via", natRouterIn)
	n.exec(t, n.router, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward")
	n.exec(t, n.router, "iptables", "-t", "nat", "-A", "POSTROUTING", "-o", vrp, "-j", "MASQUERADE")
	return n
}

func (n *natNet) exec(t *testing.T, ns string, args ...string) {
	t.Helper()
	if out, err := exec.Command("ip", append([]string{"netns", "exec", ns}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v: %v: %s", ns, args, err, out)
	}
}

// natBaresip is baresip in the public namespace, registered at Kamailio as "phone": it
// answers at once and sends a 1 kHz tone; the sndfile module records what it receives.
type natBaresip struct {
	out  *lockedBuffer
	dump string // where sndfile writes its WAVs
	cmd  *exec.Cmd
	done chan struct{}
}

func startNATBaresip(t *testing.T, n *natNet, port int, dial string) *natBaresip {
	t.Helper()
	bin := testpeer.Require(t, "baresip")
	mods := ""
	for _, d := range []string{"/usr/lib/baresip/modules", "/usr/local/lib/baresip/modules"} {
		if _, err := os.Stat(filepath.Join(d, "sndfile.so")); err == nil {
			mods = d
		}
	}
	if mods == "" {
		if os.Getenv("INTERCOM_REQUIRE_PEERS") == "1" {
			t.Fatal("baresip's sndfile module not found")
		}
		t.Skip("baresip's sndfile module not found")
	}
	dir := t.TempDir()
	b := &natBaresip{out: &lockedBuffer{}, dump: filepath.Join(dir, "dump"), done: make(chan struct{})}
	if err := os.Mkdir(b.dump, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`poll_method		epoll
sip_listen		%s:%d
net_interface		%s
audio_player		aubridge,null
audio_source		aufile,%s
audio_alert		aubridge,null
rtp_ports		%d-%d
snd_path		%s
module_path		%s
module			g711.so
module			aufile.so
module			aubridge.so
module			sndfile.so
module_app		account.so
module_app		menu.so
`, natPublicIP, port, natPublicIP, testpeer.WriteToneWAV(t, filepath.Join(dir, "tone.wav"), 1000, 60),
		port+100, port+140, b.dump, mods)
	acct := fmt.Sprintf("<sip:phone@%s>;auth_pass=secret;regint=60;outbound=\"sip:%s:5060\";answermode=auto\n", natPublicIP, natPublicIP)
	for name, body := range map[string]string{"config": cfg, "accounts": acct} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"netns", "exec", n.public, bin, "-f", dir}
	if dial != "" {
		args = append(args, "-e", "/dial "+dial)
	}
	b.cmd = exec.Command("ip", args...)
	b.cmd.Stdout, b.cmd.Stderr = b.out, b.out
	b.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = b.cmd.Wait(); close(b.done) }()
	t.Cleanup(b.stop)
	return b
}

// stop ends baresip (SIGTERM: sndfile closes its WAVs with their final length).
func (b *natBaresip) stop() {
	select {
	case <-b.done:
		return
	default:
	}
	_ = syscall.Kill(-b.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-b.done:
	case <-time.After(3 * time.Second):
		_ = syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
		<-b.done
	}
}

// received is the level (dBFS) of what baresip decoded from the door, and its length.
func (b *natBaresip) received(t *testing.T) (float64, time.Duration) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(b.dump, "*dec*.wav"))
	if len(files) == 0 {
		return math.Inf(-1), 0
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	pcm := wavSamples(raw)
	if len(pcm) == 0 {
		return math.Inf(-1), 0
	}
	// Skip the first half second (jitter buffer fill), as a listener would not judge it.
	skip := min(len(pcm), 4000)
	return media.Level(pcm[skip:]), time.Duration(len(pcm)) * time.Second / 8000
}

// decoded is how much of the door's audio baresip has written so far.
func (b *natBaresip) decoded() time.Duration {
	files, _ := filepath.Glob(filepath.Join(b.dump, "*dec*.wav"))
	if len(files) == 0 {
		return 0
	}
	fi, err := os.Stat(files[0])
	if err != nil || fi.Size() < 44 {
		return 0
	}
	return time.Duration(fi.Size()-44) * time.Second / 16000 // 8 kHz, 16-bit mono
}

// wavSamples returns the 16-bit samples of a WAV's data chunk (the rest of the file when
// its length was never written).
func wavSamples(b []byte) []int16 {
	if len(b) < 12 || string(b[0:4]) != "RIFF" {
		return nil
	}
	for p := 12; p+8 <= len(b); {
		id, size := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:p+8]))
		p += 8
		if id == "data" {
			if size == 0 || p+size > len(b) {
				size = len(b) - p
			}
			out := make([]int16, size/2)
			for i := range out {
				out[i] = int16(binary.LittleEndian.Uint16(b[p+2*i:]))
			}
			return out
		}
		p += size + size%2
	}
	return nil
}

// ignoreUnsolicited makes the router drop, without recording it, a packet from the public
// side to its own address on ports lo..hi that belongs to no flow yet (iptables -I when on,
// -D when off). Linux's MASQUERADE otherwise records such an unanswered packet and, since
// its reply would be the door's own flow to the same peer, maps the door's flow to a
// random port: the peer's later packets then go on hitting the recorded flow, never the door.
// Routers with endpoint-independent mapping (RFC 4787) keep the door's port instead.
func (n *natNet) ignoreUnsolicited(t *testing.T, lo, hi int, on bool) {
	t.Helper()
	op := "-D"
	if on {
		op = "-I"
	}
	n.exec(t, n.router, "iptables", "-t", "mangle", op, "PREROUTING", "-i", n.routerOut, "-d", natRouterIP,
		"-p", "udp", "--dport", fmt.Sprintf("%d:%d", lo, hi), "-m", "conntrack", "--ctstate", "NEW", "-j", "DROP")
}

func natDoorTOML(dir, mode, stun string, rtpLo int) string {
	public := ""
	if mode == "fixed" {
		public = fmt.Sprintf("public_address = %q", natRouterIP)
	}
	return fmt.Sprintf(`
[sip]
listen = "0.0.0.0:5060"
keepalive = "5s"
nat = %q
%s
[[account]]
id = "pbx"
registrar = "sip:%s:5060"
user = "door"
password = "secret"
expires = "60s"
[media]
rtp_ports = "%d-%d"
rt_priority = 0
rtp_timeout = "10s"
stun_server = %q
[audio]
capture = "tone:440"
playback = "null"
[gpio]
chip = "sim"
[door]
relay_line = 1
[call]
incoming = "auto"
allow_from = ["sip:phone@%s"]
max_duration = "2m"
[log]
level = "info"
events = %q
[control]
socket = %q
`, mode, public, natPublicIP, rtpLo, rtpLo+99, stun, natPublicIP, filepath.Join(dir, "events.jsonl"), filepath.Join(dir, "ctl.sock"))
}

var callTotalRE = regexp.MustCompile(`call audio total.* received=(\d+) .*recv_dbfs=(-?[0-9.]+|-Inf)`)

// doorReceived reads the door's last "call audio total" line: packets and level received.
func doorReceived(log string) (int, float64, bool) {
	m := callTotalRE.FindAllStringSubmatch(log, -1)
	if len(m) == 0 {
		return 0, 0, false
	}
	last := m[len(m)-1]
	n, _ := strconv.Atoi(last[1])
	lvl, err := strconv.ParseFloat(last[2], 64)
	if err != nil {
		lvl = math.Inf(-1)
	}
	return n, lvl, true
}

// TestNATCalls: the door in a home network behind a masquerading router registers to
// Kamailio on the public side; a call each way between it and a baresip phone there carries
// the door's 440 Hz tone to the phone and the phone's 1 kHz tone to the door. With
// nat = "auto" the door names the router's address (learned from the registrar's Via
// received/rport) in its Contacts and SDP, and both directions carry audio, as they do with
// STUN (coturn maps the RTP ports) and with "fixed" (public_address, SIP port forwarded by
// the router); with "off" it names its private address, which the public side cannot reach:
// the phone's call does not arrive and the door hears nothing on its own call. Kept to a few
// seconds per call.
func TestNATCalls(t *testing.T) {
	kbin := testpeer.Require(t, "kamailio")
	n := newNATNet(t)
	mods := kamailio.ModulesDir()
	if mods == "" {
		t.Skip("kamailio modules not found")
	}
	kdir := t.TempDir()
	kargs, err := kamailio.Write(kdir, kamailio.Config{
		Addr:       netip.MustParseAddrPort(natPublicIP + ":5060"),
		ModulesDir: mods,
		Proxy:      true,
		Trace:      true,
	})
	if err != nil {
		t.Fatal(err)
	}
	kout := &lockedBuffer{}
	kcmd := exec.Command("ip", append([]string{"netns", "exec", n.public, kbin}, kargs...)...)
	kcmd.Stdout, kcmd.Stderr = kout, kout
	kcmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := kcmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-kcmd.Process.Pid, syscall.SIGKILL); _ = kcmd.Wait() })
	waitLog(t, kout.String, "SO_RCVBUF is finally", 10*time.Second, "kamailio listening")

	// coturn as the public STUN server the "stun" case asks for the RTP port's mapping.
	stunOut := &lockedBuffer{}
	stunCmd := exec.Command("ip", "netns", "exec", n.public, testpeer.Require(t, "turnserver"), "-n", "--stun-only",
		"-L", natPublicIP, "-p", "3478", "--no-cli", "--no-tls", "--no-dtls", "--log-file", "stdout")
	stunCmd.Stdout, stunCmd.Stderr = stunOut, stunOut
	stunCmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := stunCmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-stunCmd.Process.Pid, syscall.SIGKILL); _ = stunCmd.Wait() })

	const talk = 2 * time.Second
	// "off" first: its door unregisters on SIGTERM, and no binding at the router's address
	// is left over that could carry a call to it.
	for i, name := range []string{"off", "auto", "stun", "fixed"} {
		// Each case's door takes its RTP ports from its own range, and the phone that calls
		// uses other ports than the one called: no flow the router still remembers from an
		// earlier call (30 s for an unanswered one) can meet a later call's ports.
		rtpLo := 30000 + 200*i
		t.Run(name, func(t *testing.T) {
			mode, stun := name, ""
			switch name {
			case "stun":
				mode, stun = "auto", natPublicIP+":3478"
			case "fixed":
				// A router with the SIP port forwarded and a known address (last: the rule
				// stays).
				n.exec(t, n.router, "iptables", "-t", "nat", "-A", "PREROUTING", "-d", natRouterIP, "-p", "udp",
					"--dport", "5060", "-j", "DNAT", "--to-destination", natDoorIP+":5060")
			}
			from := len(kout.String())
			klog := func() string { return kout.String()[from:] }
			dir := t.TempDir()
			cfg := filepath.Join(dir, "door.toml")
			if err := os.WriteFile(cfg, []byte(natDoorTOML(dir, mode, stun, rtpLo)), 0o644); err != nil {
				t.Fatal(err)
			}
			phone := startNATBaresip(t, n, 5080, "")
			waitLog(t, klog, "contact=<sip:phone", 10*time.Second, "baresip registered")
			p := startBinary(t, cfg, filepath.Join(dir, "ctl.sock"), "ip", "netns", "exec", n.home)
			p.waitControl(t, 15*time.Second)
			wantContact := natRouterIP
			if mode == "off" {
				wantContact = natDoorIP
			}
			waitLog(t, klog, "contact=<sip:door@"+wantContact, 15*time.Second, "door registered with "+wantContact)

			// The door calls the phone. baresip sends its first RTP with its 200, straight to
			// the router, while the door learns baresip's address from that 200 only after
			// Kamailio relayed it: the door's pinhole cannot be first every time (it lost 1
			// run in 3 at load 2), and baresip does not latch onto the door's source as PBXs
			// do. So during this call the router ignores unsolicited packets to the door's
			// ports, as an endpoint-independent router does; the door's call still depends on
			// naming the router's address and its own port in its SDP.
			n.ignoreUnsolicited(t, rtpLo, rtpLo+100, true)
			if _, err := p.ctl(door.Command{Op: door.OpCall, Arg: "phone"}); err != nil {
				t.Fatal(err)
			}
			// A call that should carry both tones lasts until each side has heard enough of
			// the other, however slow the machine; one that should not lasts talk.
			talkUntilHeard := func(b *natBaresip) {
				if mode == "off" {
					time.Sleep(talk)
					return
				}
				waitFor(func() bool {
					r, err := p.request(control.Request{Op: door.OpStats})
					return err == nil && r.Stats != nil && r.Stats.Call != nil &&
						r.Stats.Call.PacketsReceived >= 75 && b.decoded() >= 1500*time.Millisecond
				}, 20*time.Second)
			}
			answered := waitFor(func() bool { return strings.Contains(phone.out.String(), "Call established") }, 10*time.Second)
			if answered {
				talkUntilHeard(phone)
			}
			if os.Getenv("RELIABILITY_DEBUG") != "" {
				out, _ := exec.Command("ip", "netns", "exec", n.router, "sh", "-c", "cat /proc/net/nf_conntrack 2>&1 || conntrack -L 2>&1").CombinedOutput()
				t.Logf("router's connections:\n%s", out)
			}
			_, _ = p.ctl(door.Command{Op: door.OpHangup})
			waitFor(func() bool { _, _, ok := doorReceived(p.logs.String()); return ok }, 10*time.Second)
			phone.stop()
			n.ignoreUnsolicited(t, rtpLo, rtpLo+100, false)
			outPkts, outLvl, _ := doorReceived(p.logs.String())
			phoneLvl, phoneLen := phone.received(t)
			t.Logf("%s: door calls: answered %v; door received %d packets at %.1f dBFS; phone received %.1f s at %.1f dBFS",
				name, answered, outPkts, outLvl, phoneLen.Seconds(), phoneLvl)

			// The phone calls the door.
			before := strings.Count(p.logs.String(), "call audio total")
			caller := startNATBaresip(t, n, 5150, "sip:door@"+natPublicIP)
			// Established, or refused: with the private Contact Kamailio answers 477 at once.
			waitFor(func() bool {
				o := caller.out.String()
				return strings.Contains(o, "Call established") || strings.Contains(o, "session closed")
			}, 10*time.Second)
			arrived := strings.Contains(caller.out.String(), "Call established")
			if arrived {
				talkUntilHeard(caller)
				_, _ = p.ctl(door.Command{Op: door.OpHangup})
				waitFor(func() bool { return strings.Count(p.logs.String(), "call audio total") > before }, 5*time.Second)
			}
			caller.stop()
			inPkts, inLvl := 0, math.Inf(-1)
			if strings.Count(p.logs.String(), "call audio total") > before {
				inPkts, inLvl, _ = doorReceived(p.logs.String())
			}
			callerLvl, callerLen := caller.received(t)

			t.Logf("%s: phone calls: established %v; door received %d packets at %.1f dBFS; phone received %.1f s at %.1f dBFS",
				name, arrived, inPkts, inLvl, callerLen.Seconds(), callerLvl)

			if stun != "" {
				// Both calls' RTP ports mapped by coturn to the router's address (MASQUERADE
				// keeps the port when it is free).
				m := regexp.MustCompile(`stun: RTP port mapped.* addr=(\S+)`).FindAllStringSubmatch(p.logs.String(), -1)
				inRange := func(a string) bool {
					ap, err := netip.ParseAddrPort(a)
					return err == nil && ap.Addr().String() == natRouterIP && int(ap.Port()) >= rtpLo && int(ap.Port()) < rtpLo+100
				}
				if len(m) != 2 || !inRange(m[0][1]) || !inRange(m[1][1]) {
					t.Errorf("STUN mappings %v, want two at %s:%d-%d\n%s", m, natRouterIP, rtpLo, rtpLo+99, tail(stunOut.String(), 2000))
				} else {
					t.Logf("STUN mapped the RTP ports to %s and %s", m[0][1], m[1][1])
				}
			}
			heard := func(pkts int, lvl float64) bool { return pkts >= 50 && lvl > -30 } // 2 s is 100
			if mode != "off" {
				if !answered || !heard(outPkts, outLvl) || phoneLvl < -30 {
					t.Errorf("door's call: answered %v, door heard %d packets at %.1f dBFS, phone heard %.1f dBFS; want both tones",
						answered, outPkts, outLvl, phoneLvl)
				}
				if !arrived || !heard(inPkts, inLvl) || callerLvl < -30 {
					t.Errorf("phone's call: established %v, door heard %d packets at %.1f dBFS, phone heard %.1f dBFS; want both tones",
						arrived, inPkts, inLvl, callerLvl)
				}
			} else {
				// The failure the fix removes: without the public address nothing reaches
				// the door from outside.
				if heard(outPkts, outLvl) {
					t.Errorf("nat=off: the door heard the phone (%d packets at %.1f dBFS) through a NAT it did not name", outPkts, outLvl)
				}
				if arrived && heard(inPkts, inLvl) {
					t.Errorf("nat=off: the phone's call reached the door's private address")
				}
			}
			if t.Failed() {
				t.Logf("door log:\n%s", tail(p.logs.String(), 4000))
				t.Logf("kamailio log:\n%s", tail(kout.String(), 3000))
				t.Logf("phone log:\n%s", tail(phone.out.String(), 2000))
				t.Logf("caller log:\n%s", tail(caller.out.String(), 2000))
			}
			stopAt := time.Now()
			p.kill(syscall.SIGTERM)
			t.Logf("door stopped in %.1f s", time.Since(stopAt).Seconds())
		})
	}
}

// waitFor polls cond every 20 ms for at most limit and reports whether it came true.
func waitFor(cond func() bool, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

func waitLog(t *testing.T, log func() string, want string, limit time.Duration, what string) {
	t.Helper()
	if !waitFor(func() bool { return strings.Contains(log(), want) }, limit) {
		t.Fatalf("no %s after %s:\n%s", what, limit, tail(log(), 6000))
	}
}
