package sip

import "testing"

func TestCleanText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"hello", "hello"},
		{"two\r\nlines\tand tab", "two\nlines\tand tab"},
		{"esc\x1b[31mred", "esc\uFFFD[31mred"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
		{"", ""},
	} {
		if got := cleanText([]byte(tt.in)); got != tt.want {
			t.Errorf("cleanText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzCleanText(f *testing.F) {
	f.Add([]byte("Parcel at the door"))
	f.Add([]byte("\x1b]0;x\x07\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, r := range cleanText(b) {
			if r < 0x20 && r != '\n' && r != '\t' {
				t.Fatalf("control character %q left in", r)
			}
		}
	})
}
