package app

import (
	"net/netip"
	"testing"

	"github.com/doorsip/intercom/sip"
)

func TestURIIPHost(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"sip:101@192.168.1.10", "192.168.1.10"},
		{"sip:101@192.168.1.10:5062;transport=tcp", "192.168.1.10"},
		{"\"Flat\" <sips:101@[2001:db8::1]:5061>", "2001:db8::1"},
		{"sip:192.168.1.10", "192.168.1.10"},
		{"sip:101@pbx.example", ""},
		{"sip:101@pbx.example:5060", ""},
		{"garbage", ""},
	}
	for _, tt := range tests {
		a, ok := uriIPHost(tt.in)
		got := ""
		if ok {
			got = a.String()
		}
		if got != tt.want {
			t.Errorf("uriIPHost(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTrustRefusal(t *testing.T) {
	tr := newTrust([]string{"sip:101@192.168.1.10", "sip:pbx.example"}, []string{"sip:102@[2001:db8::2]"})
	ip := netip.MustParseAddr
	tests := []struct {
		name   string
		o      sip.Origin
		refuse bool
	}{
		{"pinned From from its host", sip.Origin{Source: ip("192.168.1.10"), FromHost: "192.168.1.10"}, false},
		{"pinned From forged elsewhere", sip.Origin{Source: ip("192.168.1.66"), FromHost: "192.168.1.10"}, true},
		{"pinned IPv6 forged", sip.Origin{Source: ip("2001:db8::66"), FromHost: "2001:db8::2"}, true},
		{"unpinned host", sip.Origin{Source: ip("192.168.1.66"), FromHost: "pbx.example"}, false},
		{"account call from the registrar", sip.Origin{Source: ip("10.0.0.1"), ForAccount: true, FromRegistrar: true, FromHost: "pbx.example"}, false},
		{"account call from elsewhere", sip.Origin{Source: ip("10.0.0.66"), ForAccount: true, FromHost: "pbx.example"}, true},
		{"account call from a trusted network", sip.Origin{Source: ip("10.0.0.66"), ForAccount: true, Trusted: true, FromHost: "pbx.example"}, false},
		{"no source (in-process)", sip.Origin{FromHost: "192.168.1.10"}, false},
	}
	for _, tt := range tests {
		if got := tr.refusal(tt.o); (got != "") != tt.refuse {
			t.Errorf("%s: refusal %q, want refused %v", tt.name, got, tt.refuse)
		}
	}
}

// FuzzURIIPHost: never panics; an address it returns is valid and unmapped.
func FuzzURIIPHost(f *testing.F) {
	for _, s := range []string{"sip:101@192.168.1.10:5060;transport=tcp", "<sips:[2001:db8::1]:5061>", "sip:a@b", "sip:[::ffff:10.0.0.1]", "<", "sip:@[", "sip:101@1.2.3.4?x=y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, ok := uriIPHost(s)
		if ok && (!a.IsValid() || a.Is4In6()) {
			t.Errorf("uriIPHost(%q) = %v", s, a)
		}
	})
}
