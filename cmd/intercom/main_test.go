package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckConfig(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	src := "[sip]\nlisten = \"nowhere\"\n[door]\nopen_for = \"ever\"\n[[led]]\nname = \"x\"\nline = 3\nshow = \"disco\"\n"
	if err := os.WriteFile(bad, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	simCfg := filepath.Join(dir, "sim.toml")
	if err := os.WriteFile(simCfg, []byte("[gpio]\nchip = \"sim\"\n[[led]]\nname = \"s\"\nline = 1\nshow = \"registered\"\n[door]\nrelay_line = 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args      []string
		code      int
		out, errs string
		lines     int
	}{
		{[]string{"check-config", "../../config/example.toml"}, 0, "example.toml: ok", "", 0},
		{[]string{"check-config", bad}, 2, "", bad + ":2: sip.listen:", 3},
		{[]string{"check-config", filepath.Join(dir, "missing.toml")}, 1, "", "no such file", 1},
		{[]string{"safe", "-config", simCfg}, 0, "intercom safe: 1 relays, 1 LEDs at their safe level on sim", "", 0},
		{[]string{"safe", "-config", bad}, 2, "", bad + ":2: sip.listen:", 3},
		{[]string{"safe", "-config", filepath.Join(dir, "missing.toml")}, 1, "", "no such file", 1},
		{[]string{"version"}, 0, "intercom dev", "", 0},
		{[]string{"frobnicate"}, 2, "", "unknown command", 0},
	}
	for _, tt := range tests {
		var out, errs bytes.Buffer
		code := dispatch(tt.args, nil, &out, &errs)
		if code != tt.code {
			t.Errorf("%v: exit %d, want %d (stderr %q)", tt.args, code, tt.code, errs.String())
		}
		if !strings.Contains(out.String(), tt.out) || !strings.Contains(errs.String(), tt.errs) {
			t.Errorf("%v: stdout %q stderr %q, want %q / %q", tt.args, out.String(), errs.String(), tt.out, tt.errs)
		}
		if tt.lines > 0 && strings.Count(strings.TrimSpace(errs.String()), "\n")+1 != tt.lines {
			t.Errorf("%v: want %d lines, got:\n%s", tt.args, tt.lines, errs.String())
		}
	}
}
