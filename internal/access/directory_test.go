package access_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/access"
	"github.com/doorsip/intercom/internal/cfgerr"
)

// cheap keeps the tests fast; production hashes use access.DefaultParams.
var cheap = access.Params{Time: 1, Memory: 64, Threads: 1}

func pin(t testing.TB, salt []byte, s string) access.PIN {
	t.Helper()
	p, err := access.HashPIN(s, salt, cheap)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func card(t testing.TB, s string) access.Card {
	t.Helper()
	c, err := access.ParseCard(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func sched(t testing.TB, s ...string) access.Schedule {
	t.Helper()
	sc, err := access.ParseSchedule(s)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func testUsers(t testing.TB) []access.User {
	salt := access.NewSalt()
	return []access.User{
		{Name: "Alice", PINs: []access.PIN{pin(t, salt, "1234")}, Cards: []access.Card{card(t, "12:34567")}},
		{Name: "Bob", PINs: []access.PIN{pin(t, salt, "5678")}, Cards: []access.Card{card(t, "777")},
			Schedule: sched(t, "mon-fri 07:00-19:00"), Relay: "gate"},
		{Name: "Cleaner", PINs: []access.PIN{pin(t, access.NewSalt(), "24680")}, // a salt of its own
			ValidFrom:  access.Bound{T: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Floating: true},
			ValidUntil: access.Bound{T: time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC), Floating: true}},
		{Name: "Guest Carol", Kind: access.Guest, PINs: []access.PIN{pin(t, salt, "909090")}},
		{Name: "Post", Kind: access.Public, PINs: []access.PIN{pin(t, salt, "1111")}, Schedule: sched(t, "mon-sat 08:00-12:00")},
		{Name: "Mallory", Cards: []access.Card{card(t, "raw:0x3FFFFFF")}, Disabled: true},
	}
}

func TestDirectoryDecisions(t *testing.T) {
	d := access.NewDirectory(testUsers(t), time.UTC)
	mon10 := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC) // a Monday
	sun10 := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	dec25 := time.Date(2026, 12, 25, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		pin   string
		read  *access.Read
		at    time.Time
		want  access.Result
		user  string
		relay string
	}{
		{name: "resident pin", pin: "1234", at: sun10, want: access.Granted, user: "Alice"},
		{name: "wrong pin", pin: "1235", at: sun10, want: access.Unknown},
		{name: "not digits", pin: "12a4", at: sun10, want: access.Unknown},
		{name: "too short", pin: "12", at: sun10, want: access.Unknown},
		{name: "scheduled in", pin: "5678", at: mon10, want: access.Granted, user: "Bob", relay: "gate"},
		{name: "scheduled out", pin: "5678", at: sun10, want: access.Outside, user: "Bob"},
		{name: "own salt", pin: "24680", at: mon10, want: access.Granted, user: "Cleaner"},
		{name: "not yet", pin: "24680", at: time.Date(2026, 11, 30, 23, 59, 0, 0, time.UTC), want: access.NotYetValid, user: "Cleaner"},
		{name: "expired", pin: "24680", at: dec25, want: access.Expired, user: "Cleaner"},
		{name: "public", pin: "1111", at: mon10, want: access.Granted, user: "Post"},
		{name: "card with facility", read: &access.Read{Bits: 26, Decoded: true, Facility: 12, Number: 34567}, at: sun10, want: access.Granted, user: "Alice"},
		{name: "card other facility", read: &access.Read{Bits: 26, Decoded: true, Facility: 13, Number: 34567}, at: sun10, want: access.Unknown},
		{name: "card any facility", read: &access.Read{Bits: 34, Decoded: true, Facility: 5, Number: 777}, at: mon10, want: access.Granted, user: "Bob", relay: "gate"},
		{name: "card outside", read: &access.Read{Bits: 34, Decoded: true, Facility: 5, Number: 777}, at: sun10, want: access.Outside, user: "Bob"},
		{name: "raw card disabled", read: &access.Read{Bits: 26, Raw: 0x3FFFFFF}, at: sun10, want: access.Disabled, user: "Mallory"},
		{name: "undecoded read never matches a number", read: &access.Read{Bits: 26, Raw: 777}, at: mon10, want: access.Unknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got access.Decision
			if tc.read != nil {
				got = d.CheckCard(*tc.read, tc.at)
			} else {
				got = d.CheckPIN(tc.pin, tc.at)
			}
			if got.Result != tc.want || got.User != tc.user || got.Relay != tc.relay {
				t.Fatalf("got %v user %q relay %q; want %v user %q relay %q", got.Result, got.User, got.Relay, tc.want, tc.user, tc.relay)
			}
		})
	}
}

func TestGuestPINOnce(t *testing.T) {
	users := testUsers(t)
	d := access.NewDirectory(users, time.UTC)
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	first := d.CheckPIN("909090", now)
	if first.Result != access.Granted || first.Spent.String() == "" {
		t.Fatalf("first use: %+v", first)
	}
	if again := d.CheckPIN("909090", now); again.Result != access.Spent {
		t.Fatalf("second use: %v", again.Result)
	}
	// A reload of a file that still lists it (the removal had not landed) keeps it spent.
	d.Replace(users)
	if again := d.CheckPIN("909090", now); again.Result != access.Spent {
		t.Fatalf("after reload: %v", again.Result)
	}
	for _, s := range d.Users() {
		if s.Name == "Guest Carol" && s.PINs != 0 {
			t.Fatalf("summary counts a spent PIN: %+v", s)
		}
	}
}

func TestUsersHaveNoSecrets(t *testing.T) {
	users := testUsers(t)
	d := access.NewDirectory(users, time.UTC)
	for _, s := range d.Users() {
		for _, u := range users {
			for _, p := range u.PINs {
				if strings.Contains(strings.Join(append(s.Cards, s.Name), " "), p.String()) {
					t.Fatalf("summary of %s holds a hash", s.Name)
				}
			}
		}
	}
}

func TestValidate(t *testing.T) {
	salt := access.NewSalt()
	p := pin(t, salt, "1234")
	users := []access.User{
		{Name: "A", PINs: []access.PIN{p}, Cards: []access.Card{card(t, "1:2")}},
		{Name: "A"},
		{Name: "", PINs: []access.PIN{p}},
		{Name: "C", Cards: []access.Card{card(t, "1:2")}, Relay: "nope"},
		{Name: "G", Kind: access.Guest, Cards: []access.Card{card(t, "5")}},
		{Name: "V", ValidFrom: access.Bound{T: time.Unix(100, 0)}, ValidUntil: access.Bound{T: time.Unix(100, 0)}},
	}
	err := access.Validate(users, []string{"door", "gate"})
	want := map[string]bool{"user[1].name": true, "user[2].name": true, "user[2].pins[0]": true, "user[3].cards[0]": true,
		"user[3].relay": true, "user[4].cards": true, "user[5].valid_until": true}
	got := map[string]bool{}
	for _, e := range cfgerr.Split(err) {
		var fe *cfgerr.Field
		if !errors.As(e, &fe) {
			t.Fatalf("not a field error: %v", e)
		}
		got[fe.Key] = true
	}
	for k := range want {
		if !got[k] {
			t.Errorf("no error for %s (got %v)", k, err)
		}
	}
	if len(got) != len(want) {
		t.Errorf("errors %v, want keys %v", err, want)
	}
}
