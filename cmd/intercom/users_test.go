package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/config"
	"github.com/doorsip/intercom/internal/access"
)

// usersRig is a config whose users file starts empty of users but for one card holder.
func usersRig(t *testing.T) (cfgPath, usersPath string) {
	t.Helper()
	dir := t.TempDir()
	cfgPath = filepath.Join(dir, "intercom.toml")
	usersPath = filepath.Join(dir, "users.toml")
	cfg := "[audio]\ncapture = \"tone:440\"\nplayback = \"null\"\n[control]\nsocket = \"" + filepath.Join(dir, "ctl.sock") +
		"\"\n[access]\nusers_file = \"users.toml\"\n"
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(usersPath, []byte("[[user]]\nname = \"Card only\"\ncards = [\"9\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfgPath, usersPath
}

func users(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := dispatch(append([]string{"users"}, args...), strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsersCommand(t *testing.T) {
	cfgPath, usersPath := usersRig(t)
	code, out, errs := users(t, "", "-config", cfgPath, "add", "Meyer", "-card", "12:34567", "-random-pin", "6",
		"-schedule", "mon-fri 07:00-19:00", "-until", "2026-12-31")
	if code != 0 {
		t.Fatalf("add: %d %s %s", code, out, errs)
	}
	m := regexp.MustCompile(`PIN for Meyer: (\d{6})`).FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "not running") {
		t.Fatalf("add output %q", out)
	}
	data, _ := os.ReadFile(usersPath)
	if strings.Contains(string(data), m[1]) {
		t.Fatal("the PIN is in the file in clear")
	}
	us, err := config.LoadUsers(usersPath, []string{"door"})
	if err != nil || len(us) != 2 {
		t.Fatalf("file after add: %v %v", us, err)
	}
	d := access.NewDirectory(us, time.UTC)
	monday := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	if dec := d.CheckPIN(m[1], monday); dec.Result != access.Granted || dec.User != "Meyer" {
		t.Fatalf("the printed PIN does not open: %+v", dec)
	}

	// passwd from stdin; the old PIN stops working.
	if code, out, errs := users(t, "246810\n", "-config", cfgPath, "passwd", "Meyer"); code != 0 {
		t.Fatalf("passwd: %d %s %s", code, out, errs)
	}
	us, _ = config.LoadUsers(usersPath, []string{"door"})
	d = access.NewDirectory(us, time.UTC)
	if d.CheckPIN("246810", monday).Result != access.Granted || d.CheckPIN(m[1], monday).Result != access.Unknown {
		t.Fatal("passwd did not replace the PIN")
	}

	code, out, _ = users(t, "", "-config", cfgPath, "list")
	if code != 0 || !strings.Contains(out, "Meyer: resident, 1 PIN(s), cards 12:34567, schedule mon,tue,wed,thu,fri 07:00-19:00") ||
		strings.Contains(out, "argon2") {
		t.Fatalf("list: %d %q", code, out)
	}

	// Refused edits leave the file as it was.
	before, _ := os.ReadFile(usersPath)
	for _, bad := range [][]string{
		{"add", "Meyer", "-card", "1"},               // exists
		{"add", "X", "-card", "1:x"},                 // bad card
		{"add", "Y", "-card", "12:34567"},            // Meyer's card
		{"add", "Z"},                                 // no credential
		{"add", "W", "-card", "5", "-relay", "gate"}, // no such relay
		{"remove", "Nobody"},
		{"passwd", "Nobody", "-random-pin", "6"},
		{"add", "V", "-random-pin", "3"},
	} {
		if code, _, errs := users(t, "", append([]string{"-config", cfgPath}, bad...)...); code == 0 || errs == "" {
			t.Errorf("%v: exit %d, stderr %q", bad, code, errs)
		}
	}
	if after, _ := os.ReadFile(usersPath); !bytes.Equal(before, after) {
		t.Fatal("a refused edit changed the file")
	}

	if code, _, errs := users(t, "", "-config", cfgPath, "remove", "Meyer"); code != 0 {
		t.Fatalf("remove: %s", errs)
	}
	if us, _ := config.LoadUsers(usersPath, []string{"door"}); len(us) != 1 || us[0].Name != "Card only" {
		t.Fatalf("after remove: %+v", us)
	}
}

// TestUsersFirstAdd: with no users file yet, the intercom's config loads (nobody opens) and
// the first `users add` creates the file, mode 0600.
func TestUsersFirstAdd(t *testing.T) {
	cfgPath, usersPath := usersRig(t)
	if err := os.Remove(usersPath); err != nil {
		t.Fatal(err)
	}
	if cfg, err := config.Load(cfgPath); err != nil || cfg.Users != nil {
		t.Fatalf("config without its users file: %v %v", cfg, err)
	}
	if code, out, errs := users(t, "", "-config", cfgPath, "add", "First", "-card", "1:2"); code != 0 {
		t.Fatalf("add: %d %s %s", code, out, errs)
	}
	st, err := os.Stat(usersPath)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("users file %v %v", st, err)
	}
	if us, err := config.LoadUsers(usersPath, []string{"door"}); err != nil || len(us) != 1 {
		t.Fatalf("users %+v %v", us, err)
	}
}
