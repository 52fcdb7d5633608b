package door

import "testing"

func TestURIKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"sip:101@pbx", "101@pbx"},
		{"sips:101@PBX.example:5061", "101@pbx.example"},
		{"\"Flat 1\" <sip:101@pbx;transport=tcp>;tag=abc", "101@pbx"},
		{"sip:101@[2001:db8::1]:5060", "101@[2001:db8::1]"},
		{"sip:pbx.example", "pbx.example"},
		{"SIP:Alice@Host?subject=x", "Alice@host"},
		{"101@pbx", "101@pbx"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := uriKey(tt.in); got != tt.want {
			t.Errorf("uriKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestURIAllowed(t *testing.T) {
	tests := []struct {
		uri      string
		patterns []string
		want     bool
	}{
		{"sip:101@pbx", nil, true},
		{"sip:101@pbx", []string{"sip:101@pbx"}, true},
		{"sip:101@pbx:5060", []string{"<sip:101@PBX>"}, true},
		{"sip:102@pbx", []string{"sip:101@pbx"}, false},
		{"sip:102@pbx", []string{"sip:pbx"}, true},
		{"sip:102@other", []string{"sip:pbx"}, false},
		{"sip:101@pbx.evil", []string{"sip:101@pbx"}, false},
		{"", []string{"sip:101@pbx"}, false},
		{"sip:101@pbx", []string{""}, false},
	}
	for _, tt := range tests {
		if got := uriAllowed(tt.uri, tt.patterns); got != tt.want {
			t.Errorf("uriAllowed(%q, %q) = %v, want %v", tt.uri, tt.patterns, got, tt.want)
		}
	}
}

// FuzzURIAllowed checks the allow-list parser never panics, and that a URI always matches
// itself unless it reduces to nothing.
func FuzzURIAllowed(f *testing.F) {
	for _, s := range []string{"sip:101@pbx", "\"x\" <sips:a@[::1]:5061;t=u>", "sip:", "<", "@", "sip:[::1", ";?@:"} {
		f.Add(s, "sip:101@pbx")
	}
	f.Fuzz(func(t *testing.T, uri, pattern string) {
		_ = uriAllowed(uri, []string{pattern})
		if uriKey(uri) != "" && !uriAllowed(uri, []string{uri}) {
			t.Errorf("%q does not match itself (key %q)", uri, uriKey(uri))
		}
	})
}

func TestCodeMatches(t *testing.T) {
	tests := []struct {
		got, want string
		ok        bool
	}{
		{"#1", "#1", true}, {"#2", "#1", false}, {"#", "#1", false}, {"", "", true}, {"1234", "1234", true},
	}
	for _, tt := range tests {
		if codeMatches(tt.got, tt.want) != tt.ok {
			t.Errorf("codeMatches(%q, %q) != %v", tt.got, tt.want, tt.ok)
		}
	}
}
