//go:build linux

package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

const password = "secret"

func baresipModules() string {
	for _, d := range []string{"/usr/lib/baresip/modules", "/usr/local/lib/baresip/modules"} {
		if _, err := os.Stat(filepath.Join(d, "g711.so")); err == nil {
			return d
		}
	}
	return ""
}

// peerSetup is what both peers get, so the work is the same.
type peerSetup struct {
	Dir       string // the peer's own config directory
	User      string
	SIPPort   int
	RTPLo     int // RTP port range, RTPLo..RTPLo+99
	Registrar int // Kamailio's port
	WAV       string
	Expires   int // registration lifetime asked for, seconds
	// RTPriority is the intercom's SCHED_FIFO priority for its media loops (the example
	// config's 40; the built-in default is 0).
	RTPriority int
	// Voice turns the intercom's hands-free chain (echo canceller, noise suppression, AGC, as
	// the example config sets them) on for its file and null devices.
	Voice bool
}

// baresipConfig writes config, accounts and contacts: aufile source, null player, PCMA
// offered first, auto-answer, one call at a time like the door (a second call gets 486).
func baresipConfig(s peerSetup, mods string) error {
	cfg := fmt.Sprintf(`poll_method		epoll
sip_listen		127.0.0.1:%d
net_interface		127.0.0.1
call_max_calls		1
audio_player		aubridge,null
audio_source		aufile,%s
audio_alert		aubridge,null
audio_srate		8000
audio_channels		1
rtp_ports		%d-%d
module_path		%s
module			g711.so
module			aufile.so
module			aubridge.so
module_app		account.so
module_app		menu.so
`, s.SIPPort, s.WAV, s.RTPLo, s.RTPLo+99, mods)
	acct := fmt.Sprintf("<sip:%s@127.0.0.1>;auth_pass=%s;regint=%d;outbound=\"sip:127.0.0.1:%d\";audio_codecs=PCMA,PCMU;ptime=20;answermode=auto\n",
		s.User, password, s.Expires, s.Registrar)
	for name, body := range map[string]string{"config": cfg, "accounts": acct, "contacts": ""} {
		if err := os.WriteFile(filepath.Join(s.Dir, name), []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// intercomConfig writes intercom.toml: the same account, codecs, ptime and audio as baresip;
// the media loops get the real-time priority a board's config gives them.
func intercomConfig(s peerSetup) (string, error) {
	cfg := fmt.Sprintf(`[sip]
listen = "127.0.0.1:%d"
transports = ["udp", "tcp"]

[[account]]
id = "pbx"
registrar = "sip:127.0.0.1:%d"
user = %q
password = %q
expires = "%ds"

[media]
codecs = ["PCMA", "PCMU"]
rtp_ports = "%d-%d"
ptime = "20ms"
rt_priority = %d

[audio]
capture = "file:%s"
playback = "null"
voice_on_test_devices = %t

[gpio]
chip = "sim"

[call]
incoming = "auto"
allow_from = []
max_duration = "0s"

[log]
level = "warn"
events = ""

[control]
socket = %q
`, s.SIPPort, s.Registrar, s.User, password, s.Expires, s.RTPLo, s.RTPLo+99, s.RTPriority, s.WAV, s.Voice, filepath.Join(s.Dir, "ctl.sock"))
	path := filepath.Join(s.Dir, "intercom.toml")
	return path, os.WriteFile(path, []byte(cfg), 0o644)
}

// freePort returns a port free for UDP and TCP on 127.0.0.1 (and, with span > 1, the span-1
// ports above it free for UDP too).
func freePort(span int) (int, error) {
	for i := 0; i < 100; i++ {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := pc.LocalAddr().(*net.UDPAddr).Port
		pc.Close()
		if port+span > 65000 || port%2 == 1 {
			continue
		}
		ok := true
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		l.Close()
		for p := port; p < port+span && ok; p += max(1, span/8) {
			c, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", p))
			if err != nil {
				ok = false
				continue
			}
			c.Close()
		}
		if ok {
			return port, nil
		}
	}
	return 0, fmt.Errorf("bench: no free port")
}

// waitSIP sends OPTIONS to addr until anything answers or d passes.
func waitSIP(addr string, d time.Duration) error {
	deadline := time.Now().Add(d)
	c, err := net.Dial("udp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	local := c.LocalAddr().String()
	buf := make([]byte, 4096)
	for i := 0; time.Now().Before(deadline); i++ {
		msg := "OPTIONS sip:" + addr + " SIP/2.0\r\n" +
			fmt.Sprintf("Via: SIP/2.0/UDP %s;branch=z9hG4bK-bench%d-%d\r\n", local, time.Now().UnixNano(), i) +
			"Max-Forwards: 70\r\nFrom: <sip:probe@" + local + ">;tag=probe\r\nTo: <sip:" + addr + ">\r\n" +
			fmt.Sprintf("Call-ID: bench-probe-%d-%d\r\n", time.Now().UnixNano(), i) + "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
		if _, err := c.Write([]byte(msg)); err != nil {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		_ = c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if n, err := c.Read(buf); err == nil && strings.HasPrefix(string(buf[:n]), "SIP/2.0") {
			return nil
		}
	}
	return fmt.Errorf("bench: no SIP answer from %s within %s", addr, d)
}
