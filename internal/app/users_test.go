package app

import (
	"context"
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
