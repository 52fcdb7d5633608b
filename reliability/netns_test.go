//go:build linux

package reliability

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/kamailio"
)

// netPair is two network namespaces joined by a veth pair: the door in A (10.231.0.1), the
// registrar and callers in B (10.231.0.2). Cleanup deletes both (which removes the veth).
type netPair struct {
	A, B          string // namespace names
	vA, vB        string // veth ends
	doorIP, pbxIP string
}

func newNetPair(t *testing.T) *netPair {
	t.Helper()
	needRoot(t, "ip")
	id := fmt.Sprintf("%d%d", os.Getpid()%100000, time.Now().UnixNano()%1000)
	n := &netPair{A: "irelA" + id, B: "irelB" + id, vA: "irva" + id, vB: "irvb" + id,
		doorIP: "10.231.0.1", pbxIP: "10.231.0.2"}
	if len(n.vA) > 15 {
		n.vA, n.vB = n.vA[:15], n.vB[:15]
	}
	t.Cleanup(func() {
		_ = exec.Command("ip", "netns", "del", n.A).Run()
		_ = exec.Command("ip", "netns", "del", n.B).Run()
	})
	for _, args := range [][]string{
		{"netns", "add", n.A}, {"netns", "add", n.B},
		{"link", "add", n.vA, "type", "veth", "peer", "name", n.vB},
		{"link", "set", n.vA, "netns", n.A}, {"link", "set", n.vB, "netns", n.B},
		{"-n", n.A, "link", "set", "lo", "up"}, {"-n", n.B, "link", "set", "lo", "up"},
		{"-n", n.A, "addr", "add", n.doorIP + "/24", "dev", n.vA},
		{"-n", n.B, "addr", "add", n.pbxIP + "/24", "dev", n.vB},
		{"-n", n.A, "link", "set", n.vA, "up"}, {"-n", n.B, "link", "set", n.vB, "up"},
	} {
		n.ip(t, args...)
	}
	return n
}

func (n *netPair) ip(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		if os.Getenv("INTERCOM_REQUIRE_PEERS") != "1" && (args[0] == "netns" && args[1] == "add") {
			t.Skipf("ip %v: %v: %s", args, err, out)
		}
		t.Fatalf("ip %v: %v: %s", args, err, out)
	}
}

func (n *netPair) link(t *testing.T, up bool) {
	state := "down"
	if up {
		state = "up"
	}
	n.ip(t, "-n", n.A, "link", "set", n.vA, state)
}

// registrar is Kamailio in namespace B, logging each saved binding with its Contact.
type registrar struct {
	t     *testing.T
	n     *netPair
	args  []string // kamailio's command line
	dir   string
	p     *exec.Cmd
	out   *lockedBuffer
	mu    sync.Mutex
	saves []saved // every binding saved, in order
	quit  chan struct{}
	wg    sync.WaitGroup
}

type saved struct {
	at      time.Time
	contact string
}

func startRegistrar(t *testing.T, n *netPair) *registrar {
	t.Helper()
	bin, err := exec.LookPath("kamailio")
	if err != nil {
		needRoot(t, "kamailio")
	}
	mods := kamailio.ModulesDir()
	if mods == "" {
		t.Skip("kamailio modules not found")
	}
	r := &registrar{t: t, n: n, dir: t.TempDir(), quit: make(chan struct{})}
	// Trace logs the SAVED lines watch reads.
	r.args, err = kamailio.Write(r.dir, kamailio.Config{
		Addr:       netip.AddrPortFrom(netip.MustParseAddr(n.pbxIP), 5060),
		ModulesDir: mods,
		Proxy:      true,
		Trace:      true,
	})
	if err != nil {
		t.Fatal(err)
	}
	r.start(bin)
	r.waitReady()
	r.wg.Add(1)
	go r.watch()
	t.Cleanup(func() { close(r.quit); r.wg.Wait(); r.kill() })
	return r
}

func (r *registrar) start(bin string) {
	r.out = &lockedBuffer{}
	r.p = exec.Command("ip", append([]string{"netns", "exec", r.n.B, bin}, r.args...)...)
	r.p.Stdout, r.p.Stderr = r.out, r.out
	r.p.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := r.p.Start(); err != nil {
		r.t.Fatal(err)
	}
}

// waitReady waits (at most 10 s) for Kamailio's UDP socket to be set up.
func (r *registrar) waitReady() {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && !strings.Contains(r.out.String(), "SO_RCVBUF is finally") {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // children forked
}

func (r *registrar) kill() {
	if r.p == nil {
		return
	}
	_ = syscall.Kill(-r.p.Process.Pid, syscall.SIGKILL)
	_ = r.p.Wait()
	r.p = nil
}

// restart kills Kamailio (its in-memory location table is lost) and starts it again.
func (r *registrar) restart() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.kill()
	bin, _ := exec.LookPath("kamailio")
	r.start(bin)
	r.waitReady()
}

var savedRE = regexp.MustCompile(`SAVED at=(\d+)\.(\d+) contact=(\S+)`)

// watch collects new SAVED lines with Kamailio's own timestamp (its log reaches us late).
func (r *registrar) watch() {
	defer r.wg.Done()
	seen := 0
	tk := time.NewTicker(20 * time.Millisecond)
	defer tk.Stop()
	for {
		select {
		case <-r.quit:
			return
		case <-tk.C:
		}
		r.mu.Lock()
		m := savedRE.FindAllStringSubmatch(r.out.String(), -1)
		if len(m) < seen { // restarted: a fresh buffer
			seen = 0
		}
		for _, s := range m[seen:] {
			sec, _ := strconv.ParseInt(s[1], 10, 64)
			usec, _ := strconv.ParseInt(s[2], 10, 64)
			r.saves = append(r.saves, saved{time.Unix(sec, usec*1000), s[3]})
		}
		seen = len(m)
		r.mu.Unlock()
	}
}

// savedAfter waits (at most limit) for a binding saved after since whose Contact contains
// want, and returns how long after since it came.
func (r *registrar) savedAfter(since time.Time, want string, limit time.Duration) (time.Duration, bool) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		r.mu.Lock()
		for _, s := range r.saves {
			if s.at.After(since) && strings.Contains(s.contact, want) {
				r.mu.Unlock()
				return s.at.Sub(since), true
			}
		}
		r.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	return 0, false
}

// TestNetworkFaults: the binary in namespace A registers to Kamailio in B over a veth pair
// (expires 10s, so a refresh every 5 s; keepalive 2s). It measures the time to a saved binding after: the link
// returning from an outage while idle; the door's address changing; Kamailio being killed and
// restarted with its location table lost; and it checks a call survives an outage shorter
// than media.rtp_timeout. Outage 3 s (30 s under INTERCOM_SOAK=1).
func TestNetworkFaults(t *testing.T) {
	outage := 3 * time.Second
	if soak() {
		outage = 30 * time.Second
	}
	const keepalive = 2 * time.Second
	n := newNetPair(t)
	k := startRegistrar(t, n)
	dir := t.TempDir()
	socket := filepath.Join(dir, "ctl.sock")
	cfg := filepath.Join(dir, "door.toml")
	toml := strings.Replace(doorTOML(t, 5060, filepath.Join(dir, "events.jsonl"), socket, 0, fmt.Sprintf(`
[[account]]
registrar = "sip:%s:5060"
user = "door"
password = "secret"
expires = "10s"
`, n.pbxIP)), `listen = "127.0.0.1:5060"`, "listen = \"0.0.0.0:5060\"\nkeepalive = \""+keepalive.String()+"\"", 1)
	// The caller of "link down in call" is sipp in B, at the registrar's address: it is
	// admitted by that address (an IP-literal entry pins the caller to it), not by a From
	// rewritten to 127.0.0.1, which the door rightly refuses as forged.
	for _, key := range []string{"allowed", "allow_from"} {
		toml = strings.Replace(toml, fmt.Sprintf("%s = [\"sip:%s@127.0.0.1\"]", key, allowed),
			fmt.Sprintf("%s = [\"sip:%s@127.0.0.1\", \"sip:%s@%s\"]", key, allowed, allowed, n.pbxIP), 1)
	}
	toml = strings.Replace(toml, `rtp_timeout = "10s"`, `rtp_timeout = "`+(outage+6*time.Second).String()+`"`, 1)
	if os.Getenv("RELIABILITY_DEBUG") != "" {
		toml = strings.Replace(toml, `level = "info"`, `level = "debug"`, 1)
	}
	if err := os.WriteFile(cfg, []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	p := startBinary(t, cfg, socket, "ip", "netns", "exec", n.A)
	if d, ok := k.savedAfter(start, n.doorIP, 15*time.Second); !ok {
		t.Fatalf("never registered\n%s\n%s", tail(p.logs.String(), 3000), tail(k.out.String(), 3000))
	} else {
		t.Logf("first registration %.0f ms after start", ms(d))
		if os.Getenv("RELIABILITY_DEBUG") != "" {
			t.Logf("door log:\n%s", p.logs.String())
		}
	}
	threads0 := procThreads(p.pid())

	report := func(t *testing.T, what string, d time.Duration, ok bool, limit time.Duration) {
		t.Helper()
		switch {
		case !ok:
			t.Errorf("%s: not re-registered within %s", what, limit)
		case d > 2*keepalive:
			t.Logf("%s: re-registered after %.1f s (> 2x keepalive %s: the UA only notices at its refresh or backoff)", what, d.Seconds(), 2*keepalive)
		default:
			t.Logf("%s: re-registered after %.1f s (within 2x keepalive)", what, d.Seconds())
		}
	}

	t.Run("link down idle", func(t *testing.T) {
		n.link(t, false)
		time.Sleep(outage)
		n.link(t, true)
		up := time.Now()
		d, ok := k.savedAfter(up, n.doorIP, 40*time.Second)
		report(t, fmt.Sprintf("link down %s while idle, then up", outage), d, ok, 40*time.Second)
	})

	t.Run("address change", func(t *testing.T) {
		// Removed first, then the new one (a DHCP lease change): deleting a primary address
		// after adding a second one in its subnet would remove both.
		n.ip(t, "-n", n.A, "addr", "del", n.doorIP+"/24", "dev", n.vA)
		n.ip(t, "-n", n.A, "addr", "add", "10.231.0.3/24", "dev", n.vA)
		changed := time.Now()
		d, ok := k.savedAfter(changed, "10.231.0.3", 30*time.Second)
		report(t, "address 10.231.0.1 -> 10.231.0.3", d, ok, 30*time.Second)
		n.doorIP = "10.231.0.3"
	})

	t.Run("registrar restart", func(t *testing.T) {
		k.restart()
		restarted := time.Now()
		d, ok := k.savedAfter(restarted, n.doorIP, 40*time.Second)
		report(t, "Kamailio killed and restarted (location lost)", d, ok, 40*time.Second)
	})

	t.Run("registrar away 10 min", func(t *testing.T) {
		if !soak() {
			t.Skip("INTERCOM_SOAK=1: Kamailio is stopped for 10 minutes")
		}
		const away = 10 * time.Minute
		warns0 := strings.Count(p.logs.String(), "sip: register failed")
		k.mu.Lock()
		k.kill()
		k.mu.Unlock()
		time.Sleep(away)
		warns := strings.Count(p.logs.String(), "sip: register failed") - warns0
		k.mu.Lock()
		bin, _ := exec.LookPath("kamailio")
		k.start(bin)
		k.waitReady()
		k.mu.Unlock()
		back := time.Now()
		d, ok := k.savedAfter(back, n.doorIP, 7*time.Minute)
		t.Logf("registrar away %s: %d 'register failed' lines (%.1f per minute); re-registered %.1f s after it returned",
			away, warns, float64(warns)/away.Minutes(), d.Seconds())
		if !ok {
			t.Errorf("not re-registered within 7 min of the registrar's return")
		}
		if warns > 60 {
			t.Errorf("%d failure lines in %s: the log is flooded", warns, away)
		}
	})

	t.Run("link down in call", func(t *testing.T) {
		// sipp in B calls the door directly and echoes its RTP back.
		sippBin, err := exec.LookPath("sipp")
		if err != nil {
			t.Skip("no sipp")
		}
		hold := int((outage + 4*time.Second) / time.Millisecond)
		scen := writeUAC(t, uacCall{Caller: allowed, RTPPort: 6000, Hold: hold})
		out := &lockedBuffer{}
		cmd := exec.Command("ip", "netns", "exec", n.B, sippBin, "-sf", scen, "-i", n.pbxIP, "-p", "5070",
			"-m", "1", "-s", "door", "-nostdin", "-mp", "6000", "-rtp_echo", "-timeout", "90s", "-timeout_error",
			n.doorIP+":5060")
		cmd.Dir = t.TempDir()
		cmd.Stdout, cmd.Stderr = out, out
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		defer func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }()
		time.Sleep(2 * time.Second)
		n.link(t, false)
		time.Sleep(outage)
		n.link(t, true)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("call across a %s outage: sipp %v\n%s", outage, err, tail(out.String(), 2000))
			}
		case <-time.After(time.Duration(hold)*time.Millisecond + 30*time.Second):
			t.Fatal("sipp still running")
		}
		time.Sleep(300 * time.Millisecond)
		total := lastMatch(p.logs.String(), `call audio total.*`)
		t.Logf("call across a %s outage: %s", outage, total)
		m := regexp.MustCompile(`received=(\d+)`).FindStringSubmatch(total)
		if m == nil {
			t.Fatalf("no call audio total in the door's log")
		}
		got, _ := strconv.Atoi(m[1])
		// 2 s before the outage and 2 s after it at 50 packets/s, with a margin.
		if got < 3*50 {
			t.Errorf("RTP did not resume after the outage: %d packets received", got)
		}
	})
	t.Logf("threads of the door: %d at start, %d at end", threads0, procThreads(p.pid()))
	if t.Failed() {
		t.Logf("door log:\n%s", tail(p.logs.String(), 6000))
		t.Logf("kamailio log:\n%s", tail(k.out.String(), 3000))
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func lastMatch(s, re string) string {
	m := regexp.MustCompile(re).FindAllString(s, -1)
	if len(m) == 0 {
		return ""
	}
	return m[len(m)-1]
}

// procThreads is the Threads: line of /proc/PID/status (0 when unreadable).
func procThreads(pid int) int {
	return procStatus(pid, "Threads:")
}

// procStatus reads a numeric field of /proc/PID/status (VmRSS in kB).
func procStatus(pid int, field string) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field); ok {
			f := strings.Fields(v)
			if len(f) > 0 {
				n, _ := strconv.Atoi(f[0])
				return n
			}
		}
	}
	return 0
}
