//go:build linux

package reliability

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"

	"github.com/doorsip/intercom/config"
	"github.com/doorsip/intercom/internal/app"
	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/testpeer"
)

// allowed is the one caller the door takes calls and door codes from.
const allowed = "101"

// rig is one in-process intercom: userless on loopback, sim GPIO, tone capture, null playback.
type rig struct {
	t      *testing.T
	a      *app.App
	cfg    *config.Config
	sip    string // 127.0.0.1:port
	events string // event log path
	logs   *lockedBuffer
	g0     int // goroutines before the App started
	cancel context.CancelFunc
	done   chan error
}

type rigOptions struct {
	events string               // event log path; default in a temp dir
	extra  string               // TOML appended (sections not in the base)
	tweak  func(*config.Config) // changes to the parsed config (keys the file format lacks)
}

// lockedBuffer collects the App's log for checks such as "reported once".
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// doorTOML is the base config: userless on 127.0.0.1:sipPort, sim board, tone capture.
// socket may be empty (no control socket); maxSize 0 keeps the default rotation size. The
// RTP range is reserved for t.
func doorTOML(t testing.TB, sipPort int, events, socket string, maxSize int, extra string) string {
	lo, hi := testpeer.RTPRange(t)
	return doorTOMLRTP(sipPort, lo, hi, events, socket, maxSize, extra)
}

// doorTOMLRTP is doorTOML on the RTP range lo-hi.
func doorTOMLRTP(sipPort, lo, hi int, events, socket string, maxSize int, extra string) string {
	if maxSize == 0 {
		maxSize = 1 << 20
	}
	return fmt.Sprintf(`
[sip]
listen = "127.0.0.1:%d"
[media]
rtp_ports = "%d-%d"
rt_priority = 0
rtp_timeout = "10s"
[audio]
capture = "tone:440"
playback = "null"
[gpio]
chip = "sim"
[door]
relay_line = 1
open_for = "1s"
dtmf_code = "#1"
allowed = ["sip:%s@127.0.0.1"]
max_attempts = 3
[call]
incoming = "auto"
allow_from = ["sip:%s@127.0.0.1"]
max_duration = "2m"
[log]
level = "info"
events = %q
events_max_size = %d
[control]
socket = %q
%s`, sipPort, lo, hi, allowed, allowed, events, maxSize, socket, extra)
}

func startRig(t *testing.T, o rigOptions) *rig {
	t.Helper()
	port := testpeer.FreePort(t)
	if o.events == "" {
		o.events = filepath.Join(t.TempDir(), "events.jsonl")
	}
	cfg, err := config.Parse("door.toml", []byte(doorTOML(t, port, o.events, "", 0, o.extra)))
	if err != nil {
		t.Fatal(err)
	}
	if o.tweak != nil {
		o.tweak(cfg)
	}
	g0 := runtime.NumGoroutine()
	logs := &lockedBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	a, err := app.New(cfg, app.Options{Logger: logger, Clock: clock.Real{}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &rig{t: t, a: a, cfg: cfg, sip: fmt.Sprintf("127.0.0.1:%d", port), events: o.events,
		logs: logs, g0: g0, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- a.Run(ctx) }()
	t.Cleanup(r.stop)
	waitUntil(t, 5*time.Second, "door listening", func() bool { return sipAnswers(r.sip) })
	return r
}

func (r *rig) stop() {
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	select {
	case err := <-r.done:
		if err != nil {
			r.t.Errorf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		r.t.Error("App did not stop within 5s")
	}
	// Goroutines the App left behind (sipgo keeps a few package-level ones for a while).
	g := runtime.NumGoroutine()
	for i := 0; i < 50 && g > r.g0; i++ {
		time.Sleep(20 * time.Millisecond)
		g = runtime.NumGoroutine()
	}
	r.t.Logf("goroutines: %d before the App, %d one second after it stopped", r.g0, g)
	if g > r.g0+10 {
		r.t.Errorf("goroutine leak: %d before the App, %d after it stopped", r.g0, g)
	}
	if r.t.Failed() {
		r.t.Logf("intercom log:\n%s", tail(r.logs.String(), 4000))
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// relayWatch samples the door relay every 2 ms and remembers whether it was ever on.
type relayWatch struct {
	stop  chan struct{}
	done  chan struct{}
	mu    sync.Mutex
	on    int // samples seen on
	total int
}

func watchRelay(r *rig) *relayWatch {
	w := &relayWatch{stop: make(chan struct{}), done: make(chan struct{})}
	sim := r.a.Board().Sim()
	go func() {
		defer close(w.done)
		tk := time.NewTicker(2 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-tk.C:
				on := sim.Output(door.RelayDoor)
				w.mu.Lock()
				w.total++
				if on {
					w.on++
				}
				w.mu.Unlock()
			}
		}
	}()
	return w
}

// Stop returns how many samples saw the relay energised, and how many were taken.
func (w *relayWatch) Stop() (on, total int) {
	close(w.stop)
	<-w.done
	return w.on, w.total
}

func waitUntil(t testing.TB, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for: %s", limit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// event is one parsed event log line.
type event map[string]any

func (e event) kind() string { s, _ := e["kind"].(string); return s }

// readEvents parses every line of the event log; a line that is not JSON fails the test.
func readEvents(t testing.TB, path string) []event {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []event
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("%s:%d: not JSON (%v): %q", filepath.Base(path), n, err, sc.Text())
		}
		out = append(out, e)
	}
	return out
}

func countKinds(evs []event) map[string]int {
	m := map[string]int{}
	for _, e := range evs {
		n := 1
		if r, ok := e["repeated"].(float64); ok {
			n = int(r) // an aggregated entry stands for that many
		}
		m[e.kind()] += n
	}
	return m
}

// cpuTicks is utime+stime of a process in clock ticks (USER_HZ, 100 on Linux).
func cpuTicks(t testing.TB, pid string) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	// comm may hold spaces: fields start after the last ')'.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return ut + st
}

const userHZ = 100

// uacCall describes a generated sipp client scenario: one call, DTMF by SIP INFO, then BYE.
type uacCall struct {
	Caller  string // From user
	UA      string // User-Agent
	RTPPort int    // m= port we offer (nothing need listen there)
	Wait    int    // ms after the ACK before the digits
	Digits  string // sent by INFO after the ACK, one per INFO, 150 ms apart
	Hold    int    // ms in the call before BYE (after the digits)
	// DoorHangs has the call last until the door sends BYE (Hold is then ignored), so a
	// test that measures during the call ends it when it has its facts, not on a timer.
	DoorHangs bool
}

var uacTmpl = template.Must(template.New("uac").Funcs(template.FuncMap{
	"split": func(s string) []string { return strings.Split(s, "") },
	"add":   func(a, b int) int { return a + b },
}).Parse(`<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<!-- Generated by reliability/rig_test.go: one call from {{.Caller}}, INFO DTMF, BYE. -->
<scenario name="uac call">
  <send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:{{.Caller}}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:{{.Caller}}@[local_ip]:[local_port]>
Max-Forwards: 70
User-Agent: {{.UA}}
Content-Type: application/sdp
Content-Length: [len]

v=0
o=- 1 1 IN IP4 [local_ip]
s=-
c=IN IP4 [local_ip]
t=0 0
m=audio {{.RTPPort}} RTP/AVP 0 8 101
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=ptime:20
a=sendrecv
]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="true" rrs="true"/>
  <send><![CDATA[
ACK [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:{{.Caller}}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Contact: <sip:{{.Caller}}@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0

]]></send>
{{if .Wait}}  <pause milliseconds="{{.Wait}}"/>
{{end}}{{range $i, $d := split .Digits}}  <pause milliseconds="150"/>
  <send retrans="500"><![CDATA[
INFO [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:{{$.Caller}}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: {{add $i 2}} INFO
Contact: <sip:{{$.Caller}}@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: application/dtmf-relay
Content-Length: [len]

Signal={{$d}}
Duration=160
]]></send>
  <recv response="200"/>
{{end}}{{if .DoorHangs}}  <recv request="BYE"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
{{else}}  <pause milliseconds="{{.Hold}}"/>
  <send retrans="500"><![CDATA[
BYE [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:{{.Caller}}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 99 BYE
Contact: <sip:{{.Caller}}@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200" crlf="true"/>
{{end}}  <ResponseTimeRepartition value="10, 20, 50, 100, 200, 500, 1000"/>
</scenario>
`))

// writeUAC writes a scenario for c and returns its path.
func writeUAC(t testing.TB, c uacCall) string {
	t.Helper()
	if c.UA == "" {
		c.UA = "reliability-test"
	}
	if c.RTPPort == 0 {
		c.RTPPort = 9 // discard: we offer media nobody plays
	}
	var b strings.Builder
	if err := uacTmpl.Execute(&b, c); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "uac.xml")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// callDoor runs calls sequential sipp calls (one at a time) to addr and returns sipp's
// verdict.
func callDoor(t testing.TB, addr string, c uacCall, calls int, args ...string) error {
	t.Helper()
	args = append([]string{"-l", "1"}, args...)
	s := testpeer.StartSipp(t, testpeer.SippOptions{Scenario: writeUAC(t, c), Remote: addr, Calls: calls, Args: args})
	return s.Wait(t, 120*time.Second)
}

// sipAnswers sends one OPTIONS over UDP and reports whether any response came within 300 ms.
func sipAnswers(addr string) bool {
	c, err := net.Dial("udp", addr)
	if err != nil {
		return false
	}
	defer c.Close()
	la := c.LocalAddr().String()
	msg := "OPTIONS sip:" + addr + " SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP " + la + ";branch=z9hG4bK" + strconv.FormatInt(time.Now().UnixNano(), 36) + "\r\n" +
		"From: <sip:probe@" + la + ">;tag=p1\r\nTo: <sip:" + addr + ">\r\n" +
		"Call-ID: probe-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "\r\nCSeq: 1 OPTIONS\r\n" +
		"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
	if _, err := c.Write([]byte(msg)); err != nil {
		return false
	}
	_ = c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	buf := make([]byte, 2048)
	n, err := c.Read(buf)
	return err == nil && bytes.HasPrefix(buf[:n], []byte("SIP/2.0 "))
}
