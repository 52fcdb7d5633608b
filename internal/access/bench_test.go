package access_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/access"
)

// BenchmarkCheckPIN is one keypad attempt against 100 users sharing the file's salt, at the
// production cost: one argon2id derivation, then 100 constant-time comparisons.
func BenchmarkCheckPIN(b *testing.B) {
	salt := access.NewSalt()
	var users []access.User
	for i := range 100 {
		p, err := access.HashPIN(fmt.Sprintf("%06d", 100000+i), salt, access.DefaultParams())
		if err != nil {
			b.Fatal(err)
		}
		users = append(users, access.User{Name: fmt.Sprint("user", i), PINs: []access.PIN{p}})
	}
	d := access.NewDirectory(users, time.UTC)
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if d.CheckPIN("999999", now).Result != access.Unknown {
			b.Fatal("matched")
		}
	}
}

// BenchmarkCheckCard is one card read against 1000 users with two cards each.
func BenchmarkCheckCard(b *testing.B) {
	var users []access.User
	for i := range 1000 {
		users = append(users, access.User{Name: fmt.Sprint("user", i), Cards: []access.Card{{Facility: 12, Number: uint64(2 * i)}, {Facility: 12, Number: uint64(2*i + 1)}}})
	}
	d := access.NewDirectory(users, time.UTC)
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	r := access.Read{Bits: 26, Decoded: true, Facility: 12, Number: 1999}
	b.ReportAllocs()
	for b.Loop() {
		if d.CheckCard(r, now).Result != access.Granted {
			b.Fatal("not granted")
		}
	}
}
