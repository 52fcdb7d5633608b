package access_test

import (
	"errors"
	"testing"

	"github.com/doorsip/intercom/internal/access"
)

func TestPINRoundTrip(t *testing.T) {
	p := pin(t, []byte("0123456789abcdef"), "123456")
	s := p.String()
	const want = "$argon2id$v=19$m=64,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$"
	if len(s) <= len(want) || s[:len(want)] != want {
		t.Fatalf("String = %q", s)
	}
	back, err := access.ParsePIN(s)
	if err != nil || back.String() != s {
		t.Fatalf("ParsePIN(%q) = %q, %v", s, back.String(), err)
	}
}

func TestParsePINRejects(t *testing.T) {
	for _, s := range []string{
		"", "1234", "$argon2i$v=19$m=64,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$MDEyMzQ1Njc4OWFiY2RlZg",
		"$argon2id$v=16$m=64,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$MDEyMzQ1Njc4OWFiY2RlZg",
		"$argon2id$v=19$m=9999999,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$MDEyMzQ1Njc4OWFiY2RlZg",
		"$argon2id$v=19$m=64,t=0,p=1$MDEyMzQ1Njc4OWFiY2RlZg$MDEyMzQ1Njc4OWFiY2RlZg",
		"$argon2id$v=19$m=64,t=1,p=1,x=2$MDEyMzQ1Njc4OWFiY2RlZg$MDEyMzQ1Njc4OWFiY2RlZg",
		"$argon2id$v=19$m=64,t=1,p=1$!!$MDEyMzQ1Njc4OWFiY2RlZg",
		"$argon2id$v=19$m=64,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$MDE",
	} {
		if _, err := access.ParsePIN(s); !errors.Is(err, access.ErrHash) {
			t.Errorf("ParsePIN(%q) = %v, want ErrHash", s, err)
		}
	}
	for _, s := range []string{"123", "1234567890123", "12a4", "１２３４"} {
		if _, err := access.HashPIN(s, []byte("saltsalt"), cheap); !errors.Is(err, access.ErrPIN) {
			t.Errorf("HashPIN(%q) = %v, want ErrPIN", s, err)
		}
	}
}

func TestParseCard(t *testing.T) {
	tests := []struct{ in, want string }{
		{"12:34567", "12:34567"}, {"34567", "34567"}, {"raw:0x1a2b", "raw:0x1A2B"}, {"raw:255", "raw:0xFF"},
		{"65536:1", ""}, {"a:1", ""}, {"1:", ""}, {"raw:", ""}, {"-5", ""}, {"", ""},
	}
	for _, tc := range tests {
		c, err := access.ParseCard(tc.in)
		if tc.want == "" {
			if !errors.Is(err, access.ErrCard) {
				t.Errorf("ParseCard(%q) = %v, %v; want ErrCard", tc.in, c, err)
			}
			continue
		}
		if err != nil || c.String() != tc.want {
			t.Errorf("ParseCard(%q) = %q, %v; want %q", tc.in, c.String(), err, tc.want)
		}
	}
}

func FuzzParsePIN(f *testing.F) {
	f.Add("$argon2id$v=19$m=64,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$MDEyMzQ1Njc4OWFiY2RlZg")
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")
	f.Add("$$$$$")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := access.ParsePIN(s)
		if err != nil {
			return
		}
		if back, err := access.ParsePIN(p.String()); err != nil || back.String() != p.String() {
			t.Fatalf("round trip of %q: %v", s, err)
		}
	})
}

func FuzzParseCard(f *testing.F) {
	for _, s := range []string{"12:34567", "34567", "raw:0x1a2b", "raw:255", "1:", "0x10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := access.ParseCard(s)
		if err != nil {
			return
		}
		if back, err := access.ParseCard(c.String()); err != nil || back != c {
			t.Fatalf("round trip of %q: %q -> %+v, %v", s, c.String(), back, err)
		}
	})
}
