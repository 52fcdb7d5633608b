package sip

import (
	"strings"
	"testing"

	gosip "github.com/emiago/sipgo/sip"
)

func TestTightenParams(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<sip:a@b>;tag=1", "<sip:a@b>;tag=1"},
		{"<sip:a@b> ;  tag = 1", "<sip:a@b>;tag=1"},
		{"\"J R \\\"\" <sip:a@b> ; ; tag = 98", "\"J R \\\"\" <sip:a@b>;;tag=98"},
		{"\"a ; b = c\" <sip:a@b;lr>;tag=x", "\"a ; b = c\" <sip:a@b;lr>;tag=x"},
		{"\"a ; b\" <sip:a@b> ; tag=x", "\"a ; b\" <sip:a@b>;tag=x"},
		{" sip:v@h ;   tag    = 19n", " sip:v@h;tag=19n"},
		{"J R <sip:a@b>", "J R <sip:a@b>"},
	}
	for _, tt := range tests {
		if got := tightenParams(tt.in); got != tt.want {
			t.Errorf("tightenParams(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestParserFromTag: a From tag written with white space around '=' is found (wsinv).
func TestParserFromTag(t *testing.T) {
	msg := "OPTIONS sip:door@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\n" +
		"From: \"A\" <sip:a@h>\r\n  ;\r\n  tag = 98asjd8\r\nTo: sip:door@h ; tag = 7\r\n" +
		"Call-ID: c\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
	m, err := newParser().ParseSIP([]byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	req := m.(*gosip.Request)
	if tag, _ := req.From().Params.Get("tag"); tag != "98asjd8" {
		t.Errorf("From tag %q (From %q)", tag, req.From().Value())
	}
	if tag, _ := req.To().Params.Get("tag"); tag != "7" {
		t.Errorf("To tag %q", tag)
	}
}

func TestAcceptsSDP(t *testing.T) {
	tests := []struct {
		accept []string
		want   bool
	}{
		{nil, true},
		{[]string{"application/sdp"}, true},
		{[]string{"text/nobodyKnowsThis"}, false},
		{[]string{"application/dtmf-relay, application/SDP;level=1"}, true},
		{[]string{"text/plain", "application/*"}, true},
		{[]string{"*/*"}, true},
		{[]string{""}, true},
	}
	for _, tt := range tests {
		req := gosip.NewRequest(gosip.INVITE, gosip.Uri{Scheme: "sip", User: "door", Host: "h"})
		for _, a := range tt.accept {
			req.AppendHeader(gosip.NewHeader("Accept", a))
		}
		if got := acceptsSDP(req); got != tt.want {
			t.Errorf("Accept %q: %v, want %v", tt.accept, got, tt.want)
		}
	}
}

// FuzzTightenParams: never panics, keeps quoted and bracketed text, and is idempotent.
func FuzzTightenParams(f *testing.F) {
	for _, s := range []string{"<sip:a@b> ; tag = 1", "\"x ; = \\\" y\" <sip:a@b;x = y> ; p", " sip:v@h ;  tag = 1", "\"unterminated ; a", "<open ; a = b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := tightenParams(s)
		if twice := tightenParams(once); twice != once {
			t.Errorf("not idempotent: %q -> %q -> %q", s, once, twice)
		}
		if len(once) > len(s) || (!strings.ContainsAny(s, ";=") && once != s) {
			t.Errorf("%q -> %q", s, once)
		}
	})
}
