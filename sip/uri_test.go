package sip

import (
	"strings"
	"testing"
	"time"
)

func TestParseURI(t *testing.T) {
	tests := []struct {
		in   string
		want URI
		err  string
	}{
		{in: "sip:192.168.1.10", want: URI{Scheme: "sip", Host: "192.168.1.10"}},
		{in: "sip:101@pbx.local:5080;transport=tcp", want: URI{Scheme: "sip", User: "101", Host: "pbx.local", Port: 5080, Transport: "tcp"}},
		{in: "sips:door@[2001:db8::1]:5061", want: URI{Scheme: "sips", User: "door", Host: "2001:db8::1", Port: 5061}},
		{in: "sip:a@b;TRANSPORT=UDP;lr", want: URI{Scheme: "sip", User: "a", Host: "b", Transport: "udp"}},
		{in: "192.168.1.10", err: "is not a SIP URI"},
		{in: "http://x", err: "is not a SIP URI"},
		{in: "sip:@host", err: "empty user part"},
		{in: "sip:host:", err: "empty port"},
		{in: "sip:host:50x", err: "is not a number"},
		{in: "sip:host:70000", err: "out of range"},
		{in: "sip:host:0", err: "port 0"},
		{in: "sip:", err: "no valid host"},
		{in: "sip:[::1", err: "unclosed IPv6"},
		{in: "sip:h;transport=sctp", err: "unknown transport"},
	}
	for _, tt := range tests {
		got, err := ParseURI(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseURI(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseURI(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	good := Defaults()
	good.Accounts = []Account{{ID: "pbx", Registrar: "sip:pbx", User: "door", Expires: 300 * time.Second}}
	if err := good.Validate(); err != nil {
		t.Fatalf("defaults + one account: %v", err)
	}
	bad := good
	bad.Listen = "5060"
	bad.Transports = []string{"udp", "sctp", "tls"}
	bad.Accounts = []Account{{ID: "a", Registrar: "pbx", Expires: time.Second}, {ID: "a", Registrar: "sip:pbx", User: "u", Expires: time.Minute}}
	err := bad.Validate()
	for _, want := range []string{"listen:", "unknown transport \"sctp\"", "\"tls\" needs", "account[0].registrar", "account[0].user", "account[0].expires", "account[1].id: \"a\" used twice"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to mention %q", err, want)
		}
	}
}
