package testpeer

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// MosquittoOptions shape the generated mosquitto.conf.
type MosquittoOptions struct {
	// Users maps user names to passwords; anonymous clients are refused.
	Users map[string]string
	// TLS makes the listener TLS-only, with a certificate from a fresh TestCA.
	TLS bool
	// ACL, when set, is written as the broker's acl_file.
	ACL string
	// Port fixes the port (to restart a broker on the same address); 0 picks a free one.
	Port int
	// WebSocket adds a second listener speaking MQTT over WebSocket (with TLS when TLS is
	// set) on WSPort; the plain listener stays for mosquitto_pub/sub.
	WebSocket bool
}

// Mosquitto is a running broker on 127.0.0.1.
type Mosquitto struct {
	Port   int
	WSPort int     // the WebSocket listener's port; 0 without one
	CA     *TestCA // nil without TLS
	// Output returns what the broker logged so far.
	Output func() string
	// Stop ends the broker now (it is also stopped on cleanup).
	Stop func()
}

// URL is the broker address for [mqtt] broker: mqtts:// with TLS, mqtt:// without.
func (m *Mosquitto) URL() string {
	if m.CA != nil {
		return fmt.Sprintf("mqtts://127.0.0.1:%d", m.Port)
	}
	return fmt.Sprintf("mqtt://127.0.0.1:%d", m.Port)
}

// WSURL is the broker's WebSocket address: wss:// with TLS, ws:// without.
func (m *Mosquitto) WSURL() string {
	if m.CA != nil {
		return fmt.Sprintf("wss://127.0.0.1:%d/mqtt", m.WSPort)
	}
	return fmt.Sprintf("ws://127.0.0.1:%d/mqtt", m.WSPort)
}

// ClientArgs are the mosquitto_pub/mosquitto_sub arguments that reach this broker as user.
func (m *Mosquitto) ClientArgs(user, password string) []string {
	args := []string{"-h", "127.0.0.1", "-p", fmt.Sprint(m.Port), "-u", user, "-P", password}
	if m.CA != nil {
		args = append(args, "--cafile", m.CA.CAFile)
	}
	return args
}

// StartMosquitto starts a broker with a password file (and TLS, an ACL) on a free loopback
// port and waits until it accepts connections.
func StartMosquitto(t testing.TB, o MosquittoOptions) *Mosquitto {
	t.Helper()
	// Debian installs the broker in /usr/sbin, which a non-root PATH may lack.
	bin := "/usr/sbin/mosquitto"
	if _, err := os.Stat(bin); err != nil {
		bin = Require(t, "mosquitto")
	}
	pw := Require(t, "mosquitto_passwd")
	dir := t.TempDir()
	m := &Mosquitto{}
	if o.TLS {
		m.CA = NewTestCA(t)
	}
	pwFile := filepath.Join(dir, "passwd")
	names := make([]string, 0, len(o.Users))
	for u := range o.Users {
		names = append(names, u)
	}
	sort.Strings(names)
	if err := os.WriteFile(pwFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, u := range names {
		if out, err := exec.Command(pw, "-b", pwFile, u, o.Users[u]).CombinedOutput(); err != nil {
			t.Fatalf("mosquitto_passwd: %v: %s", err, out)
		}
	}
	for attempt := 0; ; attempt++ {
		m.Port = o.Port
		if m.Port == 0 {
			m.Port = FreePort(t)
		}
		var conf strings.Builder
		fmt.Fprintf(&conf, "per_listener_settings false\nallow_anonymous false\npassword_file %s\npersistence false\n", pwFile)
		// As root mosquitto drops to its own user, which cannot read the test's files.
		conf.WriteString("user root\nlog_dest stdout\nlog_type error\nlog_type warning\nlog_type notice\nlog_type information\nlog_timestamp false\n")
		if o.ACL != "" {
			acl := filepath.Join(dir, "acl")
			if err := os.WriteFile(acl, []byte(o.ACL), 0o600); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&conf, "acl_file %s\n", acl)
		}
		fmt.Fprintf(&conf, "listener %d 127.0.0.1\n", m.Port)
		if m.CA != nil {
			fmt.Fprintf(&conf, "cafile %s\ncertfile %s\nkeyfile %s\n", m.CA.CAFile, m.CA.CertFile, m.CA.KeyFile)
		}
		if o.WebSocket {
			m.WSPort = FreePort(t)
			fmt.Fprintf(&conf, "listener %d 127.0.0.1\nprotocol websockets\n", m.WSPort)
			if m.CA != nil {
				fmt.Fprintf(&conf, "cafile %s\ncertfile %s\nkeyfile %s\n", m.CA.CAFile, m.CA.CertFile, m.CA.KeyFile)
			}
		}
		confFile := filepath.Join(dir, "mosquitto.conf")
		if err := os.WriteFile(confFile, []byte(conf.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		out := start(t, "mosquitto", exec.Command(bin, "-c", confFile))
		m.Output, m.Stop = out.String, out.stop
		err := waitTCP(fmt.Sprintf("127.0.0.1:%d", m.Port), 10*time.Second)
		if err == nil && m.WSPort != 0 {
			err = waitTCP(fmt.Sprintf("127.0.0.1:%d", m.WSPort), 10*time.Second)
		}
		if err == nil {
			return m
		}
		out.stop()
		if o.Port == 0 && attempt < 3 && strings.Contains(out.String(), "in use") {
			continue
		}
		t.Fatalf("mosquitto did not listen on %d:\n%s", m.Port, out.String())
	}
}

// waitTCP dials addr until it accepts or d passes.
func waitTCP(addr string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}
