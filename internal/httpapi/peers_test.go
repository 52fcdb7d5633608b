package httpapi

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/testpeer"
)

// TestCurl drives the API with real curl: Digest with each algorithm offered alone and both,
// curl's --anyauth choice, Basic over TLS, and a wrong password.
func TestCurl(t *testing.T) {
	curl := testpeer.Require(t, "curl")
	tests := []struct {
		name   string
		digest []string
		args   []string
		ok     bool
	}{
		{"digest sha-256", []string{"SHA-256"}, []string{"--digest", "-u", "admin:admin-secret"}, true},
		{"digest md5", []string{"MD5"}, []string{"--digest", "-u", "admin:admin-secret"}, true},
		{"digest both", []string{"SHA-256", "MD5"}, []string{"--digest", "-u", "admin:admin-secret"}, true},
		{"anyauth", []string{"SHA-256", "MD5"}, []string{"--anyauth", "-u", "admin:admin-secret"}, true},
		{"basic over tls", []string{"SHA-256", "MD5"}, []string{"--basic", "-u", "admin:admin-secret"}, true},
		{"wrong password", []string{"SHA-256", "MD5"}, []string{"--digest", "-u", "admin:nope"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			cfg.Digest = tt.digest
			be := newFakeDoor()
			_, base := start(t, cfg, be, clock.Real{})
			args := append([]string{"-sk", "--max-time", "10", "-w", "\n%{http_code}"}, tt.args...)
			out, err := exec.Command(curl, append(args, base+"/api/switch/ctrl?switch=1&action=trigger")...).Output()
			if err != nil {
				t.Fatalf("curl: %v", err)
			}
			text := strings.TrimSpace(string(out))
			cut := strings.LastIndexByte(text, '\n')
			body, status := text[:max(cut, 0)], text[cut+1:]
			var m map[string]any
			if err := json.Unmarshal([]byte(body), &m); err != nil {
				t.Fatalf("body %q: %v", body, err)
			}
			if tt.ok != (status == "200" && m["success"] == true) {
				t.Errorf("status %s body %v", status, m)
			}
			if n := len(be.commands()); (n == 1) != tt.ok {
				t.Errorf("%d commands", n)
			}
		})
	}
}

// TestPythonDigest: Python's urllib digest handler, which knows only MD5 and reads only the
// first challenge, works when MD5 is offered first.
func TestPythonDigest(t *testing.T) {
	py := testpeer.Require(t, "python3")
	cfg := testConfig(t)
	cfg.Digest = []string{"MD5", "SHA-256"}
	_, base := start(t, cfg, newFakeDoor(), clock.Real{})
	script := `
import json, ssl, sys, urllib.request
base, user, pw = sys.argv[1:4]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
mgr.add_password(None, base, user, pw)
opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=ctx), urllib.request.HTTPDigestAuthHandler(mgr))
for path in ("/api/system/info", "/api/switch/status", "/api/call/status"):
    with opener.open(base + path, timeout=10) as r:
        print(json.load(r)["success"])
`
	out, err := exec.Command(py, "-c", script, base, "admin", "admin-secret").CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	if got := strings.Fields(string(out)); strings.Join(got, " ") != "True True True" {
		t.Errorf("python printed %q", out)
	}
}
