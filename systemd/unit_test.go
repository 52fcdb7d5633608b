package systemd

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// require returns the path of an external program, or skips (fails under
// INTERCOM_REQUIRE_PEERS=1, as CI sets after installing the packages).
func require(t *testing.T, prog, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(prog)
	if err == nil {
		return p
	}
	if os.Getenv("INTERCOM_REQUIRE_PEERS") == "1" {
		t.Fatalf("%s not found (apt: %s)", prog, pkg)
	}
	t.Skipf("%s not found (apt: %s)", prog, pkg)
	return ""
}

// unitSettings reads intercom.service into key -> values (a key may repeat).
func unitSettings(t *testing.T) map[string][]string {
	t.Helper()
	f, err := os.Open("intercom.service")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == '[' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("intercom.service: not key=value: %q", line)
		}
		m[k] = append(m[k], v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestUnitSettings pins the unit's hardening, watchdog and restart settings, so a later edit
// cannot quietly drop one.
func TestUnitSettings(t *testing.T) {
	m := unitSettings(t)
	tests := []struct{ key, want string }{
		{"Type", "notify"},
		{"WatchdogSec", "10"},
		{"Restart", "always"},
		{"ExecStart", "/usr/bin/intercom run -config /etc/intercom/intercom.toml"},
		{"ExecReload", "/bin/kill -HUP $MAINPID"},
		{"ExecStopPost", "/usr/bin/intercom safe -config /etc/intercom/intercom.toml"},
		{"AmbientCapabilities", "CAP_SYS_NICE CAP_NET_BIND_SERVICE"},
		{"LimitRTPRIO", "95"},
		{"CPUSchedulingPolicy", "fifo"},
		{"CPUSchedulingPriority", "10"},
		{"CPUSchedulingResetOnFork", "yes"},
		{"LimitMEMLOCK", "infinity"},
		{"SupplementaryGroups", "audio gpio"},
		{"StateDirectory", "intercom"},
		{"RuntimeDirectory", "intercom"},
		{"NoNewPrivileges", "yes"},
		{"ProtectSystem", "strict"},
		{"ProtectHome", "yes"},
		{"PrivateTmp", "yes"},
		{"DevicePolicy", "closed"},
		{"DeviceAllow", "char-alsa rw"},
		{"DeviceAllow", "char-gpiochip rw"},
		{"RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6 AF_NETLINK"},
		{"SystemCallFilter", "@system-service"},
		{"WantedBy", "multi-user.target"},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.want, func(t *testing.T) {
			for _, v := range m[tt.key] {
				if v == tt.want {
					return
				}
			}
			t.Errorf("%s=%s missing (have %q)", tt.key, tt.want, m[tt.key])
		})
	}
	// The media path needs SCHED_FIFO: RestrictRealtime=yes would deny it.
	if v := m["RestrictRealtime"]; len(v) > 0 && v[len(v)-1] == "yes" {
		t.Error("RestrictRealtime=yes denies the SCHED_FIFO the media goroutine needs")
	}
}

var scoreRE = regexp.MustCompile(`exposure score ([0-9.]+)`)

// TestVerify runs systemd-analyze verify and security through verify.sh.
func TestVerify(t *testing.T) {
	require(t, "systemd-analyze", "systemd")
	out, err := exec.Command("./verify.sh").CombinedOutput()
	if err != nil {
		t.Fatalf("verify.sh: %v\n%s", err, out)
	}
	m := scoreRE.FindSubmatch(out)
	if m == nil {
		t.Fatalf("no exposure score in:\n%s", out)
	}
	t.Logf("systemd-analyze security exposure: %s", m[1])
}

// TestVerifyCatchesMistakes feeds verify.sh broken copies of the unit.
func TestVerifyCatchesMistakes(t *testing.T) {
	require(t, "systemd-analyze", "systemd")
	orig, err := os.ReadFile("intercom.service")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, from, to string }{
		{"unknown key", "[Install]\n", "[Install]\nWantedByy=multi-user.target\n"},
		{"no hardening", "NoNewPrivileges=yes\nProtectSystem=strict\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := string(orig)
			if !strings.Contains(s, tt.from) {
				t.Fatalf("intercom.service no longer contains %q", tt.from)
			}
			s = strings.Replace(s, tt.from, tt.to, 1)
			if tt.name == "no hardening" {
				for _, k := range []string{"ProtectHome", "PrivateTmp", "SystemCallFilter", "RestrictAddressFamilies", "CapabilityBoundingSet"} {
					s = regexp.MustCompile(`(?m)^`+k+`=.*\n`).ReplaceAllString(s, "")
				}
			}
			p := filepath.Join(t.TempDir(), "intercom.service")
			if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command("./verify.sh", p).CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				t.Fatalf("verify.sh accepted it (err %v):\n%s", err, out)
			}
		})
	}
}

// TestShellcheck lints every script that runs on the build host or the board.
func TestShellcheck(t *testing.T) {
	sc := require(t, "shellcheck", "shellcheck")
	scripts := []string{
		"verify.sh",
		"deploy.sh",
		"../image/build.sh",
		"../image/test.sh",
		"../image/deps.sh",
		"../image/bootconfig.sh",
		"../image/raspi-test.sh",
		"../image/rootfs/usr/lib/intercom/provision.sh",
		"../buildroot/lint.sh",
		"../buildroot/board/intercom/post-build.sh",
		"../buildroot/board/intercom/post-fakeroot.sh",
	}
	for _, s := range scripts {
		t.Run(filepath.Base(s), func(t *testing.T) {
			t.Parallel()
			if out, err := exec.Command(sc, s).CombinedOutput(); err != nil {
				t.Errorf("shellcheck %s: %v\n%s", s, err, out)
			}
		})
	}
}

// TestDeployRefusesWithoutHost: `make deploy` without PI= must not guess a board.
func TestDeployRefusesWithoutHost(t *testing.T) {
	cmd := exec.Command("./deploy.sh")
	cmd.Env = append(os.Environ(), "PI=")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("deploy.sh without a host: err %v, want exit status 2\n%s", err, out)
	}
	if !strings.Contains(string(out), "PI=") {
		t.Errorf("deploy.sh without a host does not say how to give one:\n%s", out)
	}
}
