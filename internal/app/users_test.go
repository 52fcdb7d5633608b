package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/config"
	"github.com/doorsip/intercom/internal/access"
	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/testpeer"
)

// grantAll is a door that grants whatever the users say.
type grantAll struct{ got chan door.Attempt }

func (g grantAll) Access(_ context.Context, a door.Attempt) (door.AccessOutcome, error) {
	g.got <- a
	if a.Granted {
		return door.AccessGranted, nil
	}
	return door.AccessDenied, door.ErrDenied
}

func writeUsers(t *testing.T, path string, users []access.User) {
	t.Helper()
	if err := config.WriteUsers(path, users); err != nil {
		t.Fatal(err)
	}
}

// TestGuestPINSpentInFile: a guest PIN opens once and is then removed from the users file
// (the guest with it, having nothing left), so it stays spent after a restart.
func TestGuestPINSpentInFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "users.toml")
	salt := access.NewSalt()
	cheap := access.Params{Time: 1, Memory: 64, Threads: 1}
	guest, _ := access.HashPIN("135790", salt, cheap)
	other, _ := access.HashPIN("246802", salt, cheap)
	card, _ := access.ParseCard("5")
	users := []access.User{
		{Name: "Resident", Cards: []access.Card{card}},
		{Name: "Guest Ana", Kind: access.Guest, PINs: []access.PIN{guest}},
		{Name: "Guest Bo", Kind: access.Guest, PINs: []access.PIN{other}},
	}
	writeUsers(t, path, users)
	cfg := &config.Config{Access: access.Defaults(), Users: users}
	cfg.Access.UsersFile = path
	g := grantAll{got: make(chan door.Attempt, 4)}
	k, err := newKeypads(cfg, g, clock.NewFake(time.Unix(1e9, 0)), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	k.check(context.Background(), attempt{source: "keypad:front", pin: "135790"})
	if a := <-g.got; !a.Granted || a.User != "Guest Ana" {
		t.Fatalf("first use: %+v", a)
	}
	k.check(context.Background(), attempt{source: "keypad:front", pin: "135790"})
	if a := <-g.got; a.Granted || a.Reason != "spent" {
		t.Fatalf("second use: %+v", a)
	}
	back, err := config.LoadUsers(path, []string{"door"})
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != 2 || back[0].Name != "Resident" || back[1].Name != "Guest Bo" {
		t.Fatalf("users file after the guest's PIN was spent: %+v", back)
	}
	// A restart (a new directory from the file) does not bring it back.
	k2, _ := newKeypads(&config.Config{Access: cfg.Access, Users: back}, g, clock.NewFake(time.Unix(1e9, 0)), slog.New(slog.DiscardHandler))
	k2.check(context.Background(), attempt{source: "keypad:front", pin: "135790"})
	if a := <-g.got; a.Granted || a.Known {
		t.Fatalf("after restart: %+v", a)
	}
}

// TestReloadUsersFile: reload-users takes a good file and refuses a bad one, keeping the
// users in force.
func TestReloadUsersFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "users.toml")
	card, _ := access.ParseCard("5")
	writeUsers(t, path, []access.User{{Name: "A", Cards: []access.Card{card}}})
	cfg := &config.Config{Access: access.Defaults()}
	cfg.Access.UsersFile = path
	k, _ := newKeypads(cfg, grantAll{}, clock.NewFake(time.Unix(1e9, 0)), slog.New(slog.DiscardHandler))
	if n, err := k.reloadFile(); err != nil || n != 1 {
		t.Fatalf("reload: %d %v", n, err)
	}
	if err := os.WriteFile(path, []byte("[[user]]\nname = \"B\"\ncards = [\"x\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := k.reloadFile(); err == nil || !strings.Contains(err.Error(), "users.toml:3: user[0].cards[0]") {
		t.Fatalf("bad file: %v", err)
	}
	if u := k.dir.Users(); len(u) != 1 || u[0].Name != "A" {
		t.Fatalf("users after a refused reload: %+v", u)
	}
}

// TestUsersReloadDuringCall: a reload with a changed users file (what SIGHUP and `intercom
// users` do) swaps the users while a call goes on, and `ctl users` shows the new ones.
func TestUsersReloadDuringCall(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "users.toml")
	c1, _ := access.ParseCard("1:1")
	writeUsers(t, path, []access.User{{Name: "Before", Cards: []access.Card{c1}}})
	pp, cp := testpeer.FreePort(t), testpeer.FreePort(t)
	startUnit(t, "peer", pp, "[call]\nincoming = \"auto\"\n")
	extra := fmt.Sprintf("[access]\nusers_file = %q\n", path)
	caller := startUnit(t, "caller", cp, extra)
	h := ctlHandler{caller}
	if u := h.Users(); len(u) != 1 || u[0].Name != "Before" {
		t.Fatalf("users at start %+v", u)
	}
	ctx := context.Background()
	if _, err := caller.Controller().Do(ctx, door.Command{Op: "call", Arg: fmt.Sprintf("sip:peer@127.0.0.1:%d", pp)}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 10*time.Second, "in call", func() bool {
		c := h.Stats().Call
		return c != nil && c.PacketsReceived >= 10
	})
	c2, _ := access.ParseCard("2:2")
	writeUsers(t, path, []access.User{{Name: "After", Cards: []access.Card{c2}}})
	cfg, err := config.Parse("caller.toml", []byte(fmt.Sprintf("[sip]\nlisten = \"127.0.0.1:%d\"\n[media]\nrtp_ports = %q\n[audio]\ncapture = \"tone:440\"\nplayback = \"null\"\n[gpio]\nchip = \"sim\"\n[control]\nsocket = \"\"\n%s", cp, caller.cfg.Media.RTPPorts, extra)))
	if err != nil {
		t.Fatal(err)
	}
	if err := caller.Reload(cfg); err != nil {
		t.Fatal(err)
	}
	if u := h.Users(); len(u) != 1 || u[0].Name != "After" {
		t.Fatalf("users after the reload %+v", u)
	}
	before := h.Stats().Call.PacketsReceived
	waitUntil(t, 10*time.Second, "the call going on", func() bool {
		c := h.Stats().Call
		return c != nil && c.PacketsReceived >= before+10
	})
	if s := caller.Controller().Status(); s.State != door.InCall {
		t.Fatalf("state %s after the reload", s.State)
	}
	// reload-users (what `intercom users` sends) does the same without the rest of the config.
	writeUsers(t, path, nil)
	if n, err := h.ReloadUsers(); err != nil || n != 0 || len(h.Users()) != 0 {
		t.Fatalf("reload-users: %d %v %+v", n, err, h.Users())
	}
}
