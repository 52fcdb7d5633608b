package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/access"
)

var relays = []string{"door", "gate"}

func TestExampleUsersParse(t *testing.T) {
	c, err := Load("example.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Users) != 3 || c.Users[0].Name != "Flat 1 Meyer" || len(c.Users[0].Cards) != 2 || c.Users[2].Kind != access.Public {
		t.Fatalf("users = %+v", c.Users)
	}
	if c.Access.Submit != '#' || c.Access.Clear != '*' || c.Access.CodeTimeout != 10*time.Second {
		t.Fatalf("access = %+v", c.Access)
	}
	u := c.Users[1]
	// valid_until = 2026-12-31 includes that day.
	if want := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC); !u.ValidUntil.Floating || !u.ValidUntil.T.Equal(want) {
		t.Fatalf("valid_until = %+v", u.ValidUntil)
	}
}

func TestUsersErrorsNameLines(t *testing.T) {
	src := `[[user]]
name = "A"
pins = ["1234"]

[[user]]
name = "B"
cards = ["12:x"]
schedule = ["mon 07:00-07:00"]
relay = "garage"
colour = "red"

[[user]]
name = "A"
cards = ["5"]
valid_from = "yesterday"
`
	_, err := ParseUsers("users.toml", []byte(src), relays)
	var probs Errors
	if !errors.As(err, &probs) {
		t.Fatalf("err = %v", err)
	}
	want := []string{
		"users.toml:3: user[0].pins[0]:",
		"users.toml:7: user[1].cards[0]:",
		"users.toml:8: user[1].schedule[0]:",
		"users.toml:9: user[1].relay:",
		"users.toml:10: user[1].colour: unknown key",
		"users.toml:13: user[2].name:",
		"users.toml:15: user[2].valid_from:",
	}
	got := err.Error()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in:\n%s", w, got)
		}
	}
	if len(probs) != len(want) {
		t.Errorf("%d problems, want %d:\n%s", len(probs), len(want), got)
	}
	if _, err := ParseUsers("u.toml", []byte("[[user]]\nname = = 1\n"), relays); err == nil || !strings.Contains(err.Error(), "u.toml:2: syntax") {
		t.Errorf("syntax error: %v", err)
	}
}

func TestUsersRoundTrip(t *testing.T) {
	salt := access.NewSalt()
	p, err := access.HashPIN("4711", salt, access.Params{Time: 1, Memory: 64, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	c1, _ := access.ParseCard("12:34567")
	c2, _ := access.ParseCard("raw:0xABC")
	sc, _ := access.ParseSchedule([]string{"mon-fri 07:00-19:00", "sat 22:00-02:00"})
	users := []access.User{
		{Name: `Dr. "Q" \ Ünal`, PINs: []access.PIN{p}, Cards: []access.Card{c1, c2}, Schedule: sc, Relay: "gate",
			ValidFrom:  access.Bound{T: time.Date(2026, 1, 1, 8, 30, 0, 0, time.UTC), Floating: true},
			ValidUntil: access.Bound{T: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), Floating: true}},
		{Name: "Guest", Kind: access.Guest, PINs: []access.PIN{p}, Disabled: true,
			ValidUntil: access.Bound{T: time.Date(2026, 2, 1, 10, 0, 0, 0, time.FixedZone("", 3600))}},
	}
	users[1].PINs = nil
	c3, _ := access.ParseCard("9")
	users[1].Kind = access.Resident
	users[1].Cards = []access.Card{c3}
	dir := t.TempDir()
	path := filepath.Join(dir, "users.toml")
	if err := WriteUsers(path, users); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode())
	}
	back, err := LoadUsers(path, relays)
	if err != nil {
		t.Fatalf("%v\n%s", err, FormatUsers(users))
	}
	if string(FormatUsers(back)) != string(FormatUsers(users)) {
		t.Fatalf("round trip differs:\n%s\n---\n%s", FormatUsers(users), FormatUsers(back))
	}
	if !back[1].ValidUntil.T.Equal(users[1].ValidUntil.T) || !back[0].ValidUntil.T.Equal(users[0].ValidUntil.T) || !back[0].ValidUntil.Floating {
		t.Fatalf("bounds %+v %+v", back[0].ValidUntil, back[1].ValidUntil)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Fatalf("temporary files left: %v", ents)
	}
}

func FuzzParseUsers(f *testing.F) {
	ex, err := os.ReadFile("users.toml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(ex)
	f.Add([]byte("[[user]]\nname = \"a\"\ncards = [\"1\"]\nvalid_until = 2026-01-01\n"))
	f.Add([]byte("user = 5"))
	f.Fuzz(func(t *testing.T, data []byte) {
		users, err := ParseUsers("f.toml", data, relays)
		if err != nil {
			return
		}
		// What parses is written back to a file that parses to the same users.
		back, err := ParseUsers("g.toml", FormatUsers(users), relays)
		if err != nil {
			t.Fatalf("formatted users do not parse: %v\n%s", err, FormatUsers(users))
		}
		if string(FormatUsers(back)) != string(FormatUsers(users)) {
			t.Fatalf("round trip differs")
		}
	})
}

func TestReaderErrors(t *testing.T) {
	src := "[[reader]]\nname = \"front\"\nd0 = 5\nd1 = 5\nformats = [\"26\", \"40\"]\ngap = \"1ms\"\n[[reader]]\nname = \"x\"\n"
	_, err := Parse("r.toml", []byte(src))
	for _, w := range []string{"r.toml:4: reader[0].d1: line 5 is already used", "r.toml:5: reader[0].formats:", "r.toml:6: reader[0].gap:", "r.toml:7: reader[1]: d0 is missing"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in %v", w, err)
		}
	}
	c, err := Load("example.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Readers) != 1 || !c.Readers[0].Wiegand.Keys || c.GPIO.Readers[0].D1 != 6 {
		t.Fatalf("readers %+v %+v", c.Readers, c.GPIO.Readers)
	}
}

func TestRelays(t *testing.T) {
	c, err := Load("example.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Door.Relays) != 1 || c.Door.Relays[0].Name != "gate" || c.Door.Relays[0].OpenFor != 5*time.Second ||
		len(c.GPIO.Relays) != 2 || c.GPIO.Relays[1].Line != 4 || strings.Join(c.RelayNames(), ",") != "door,gate" {
		t.Fatalf("relays %+v / %+v", c.Door.Relays, c.GPIO.Relays)
	}
	src := "[door]\nrelay_line = 22\n[[relay]]\nname = \"gate\"\nline = 22\n[[relay]]\nname = \"door\"\nline = 5\nopen_for = \"1ms\"\n[[relay]]\nname = \"x\"\n"
	_, err = Parse("rel.toml", []byte(src))
	for _, w := range []string{"rel.toml:5: relay[0].line: line 22 is already used", "rel.toml:7: relay[1].name:", "rel.toml:9: relay[1].open_for:", "rel.toml:10: relay[2]: line is missing"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in:\n%v", w, err)
		}
	}
}
