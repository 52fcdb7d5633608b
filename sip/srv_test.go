package sip

import (
	"context"
	"errors"
	"net"
	"testing"
)

func TestServerAddr(t *testing.T) {
	u, err := NewUA(func() Config { c := Defaults(); c.Listen = "127.0.0.1:0"; return c }(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var asked string
	u.lookupSRV = func(_ context.Context, service, proto, name string) (string, []*net.SRV, error) {
		asked = "_" + service + "._" + proto + "." + name
		if name == "pbx.example" {
			return "", []*net.SRV{{Target: "sip1.pbx.example.", Port: 5080, Priority: 10}}, nil
		}
		return "", nil, errors.New("nxdomain")
	}
	for _, tc := range []struct {
		uri, transport, want, asked string
	}{
		{"sip:pbx.example", "udp", "sip1.pbx.example:5080", "_sip._udp.pbx.example"},
		{"sip:pbx.example", "tcp", "sip1.pbx.example:5080", "_sip._tcp.pbx.example"},
		{"sips:pbx.example", "tls", "sip1.pbx.example:5080", "_sips._tcp.pbx.example"},
		{"sip:pbx.example:5070", "udp", "pbx.example:5070", ""},
		{"sip:192.0.2.5", "udp", "192.0.2.5:5060", ""},
		{"sip:other.example", "udp", "other.example:5060", "_sip._udp.other.example"},
	} {
		asked = ""
		reg, err := ParseURI(tc.uri)
		if err != nil {
			t.Fatal(err)
		}
		if got := u.serverAddr(context.Background(), reg, tc.transport); got != tc.want || asked != tc.asked {
			t.Errorf("%s/%s: %s (asked %q), want %s (asked %q)", tc.uri, tc.transport, got, asked, tc.want, tc.asked)
		}
	}
}
