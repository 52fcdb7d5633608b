package access_test

import (
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/access"
	"github.com/doorsip/intercom/internal/clock"
)

func TestEntry(t *testing.T) {
	tests := []struct {
		name  string
		keys  string // '.' advances the clock by 11s (past the 10s timeout)
		codes []string
	}{
		{"submit", "1234#", []string{"1234"}},
		{"clear", "12*34#", []string{"34"}},
		{"empty submit", "#", nil},
		{"timeout drops half a code", "12.34#", []string{"34"}},
		{"timeout then submit alone", "12.#", nil},
		{"two codes", "1111#2222#", []string{"1111", "2222"}},
		{"letters ignored", "1A2B#", []string{"12"}},
		{"too long is one refused code", "1234567890123#5#", []string{"1234567890120", "5"}},
	}
	cfg := access.Defaults()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := clock.NewFake(time.Unix(1e9, 0))
			e := access.NewEntry(cfg)
			var got []string
			for _, k := range tc.keys {
				if k == '.' {
					clk.Advance(11 * time.Second)
					continue
				}
				if code, ok := e.Key(k, clk.Now()); ok {
					got = append(got, code)
				}
				clk.Advance(time.Second)
			}
			if len(got) != len(tc.codes) {
				t.Fatalf("codes %q, want %q", got, tc.codes)
			}
			for i := range got {
				if got[i] != tc.codes[i] {
					t.Fatalf("codes %q, want %q", got, tc.codes)
				}
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	good := access.Defaults()
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, mod := range []func(*access.Config){
		func(c *access.Config) { c.Submit = '5' },
		func(c *access.Config) { c.Clear = '#' },
		func(c *access.Config) { c.CodeTimeout = 0 },
		func(c *access.Config) { c.TimeZone = "Mars/Olympus" },
	} {
		c := access.Defaults()
		mod(&c)
		if c.Validate() == nil {
			t.Errorf("%+v passed", c)
		}
	}
}
