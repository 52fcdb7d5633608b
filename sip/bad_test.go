package sip

import (
	"fmt"
	"strings"
	"testing"

	gosip "github.com/emiago/sipgo/sip"
	"github.com/emiago/sipgo/siptest"
)

// TestBadRequests: hand-written requests fed in-process get the RFC 3261 answers.
func TestBadRequests(t *testing.T) {
	u, err := NewUA(func() Config { c := Defaults(); c.Listen = "127.0.0.1:0"; return c }(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	msg := func(method, toTag, extra string) []byte {
		return []byte(fmt.Sprintf("%s sip:door@192.0.2.2 SIP/2.0\r\n"+
			"Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK%s\r\nFrom: <sip:x@192.0.2.1>;tag=1\r\n"+
			"To: <sip:door@192.0.2.2>%s\r\nCall-ID: nosuchcall\r\nCSeq: 2 %s\r\nMax-Forwards: 70\r\n"+
			"%sContent-Length: 0\r\n\r\n", method, method, toTag, method, extra))
	}
	for _, tc := range []struct {
		name string
		msg  []byte
		want string
	}{
		{"BYE outside a dialog", msg("BYE", ";tag=abc", ""), "481"},
		{"INFO outside a dialog", msg("INFO", ";tag=abc", ""), "481"},
		{"re-INVITE outside a dialog", msg("INVITE", ";tag=abc", "Contact: <sip:x@192.0.2.1>\r\n"), "481"},
		{"CANCEL without INVITE", msg("CANCEL", "", ""), "481"},
		{"SUBSCRIBE", msg("SUBSCRIBE", "", "Event: presence\r\n"), "489"},
		{"MESSAGE without text/plain", msg("MESSAGE", "", ""), "415"},
		{"MESSAGE outside its dialog", msg("MESSAGE", ";tag=abc", "Content-Type: text/plain\r\n"), "481"},
		{"PRACK", msg("PRACK", "", ""), "501"},
		{"OPTIONS", msg("OPTIONS", "", ""), "200"},
		{"INVITE without Contact", msg("INVITE", "", ""), "400"},
		{"INVITE requiring 100rel", msg("INVITE", "", "Contact: <sip:x@192.0.2.1>\r\nRequire: 100rel\r\n"), "420"},
		{"Max-Forwards 0", []byte(strings.Replace(string(msg("INFO", "", "")), "Max-Forwards: 70", "Max-Forwards: 0", 1)), "483"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := feed(t, u, tc.msg)
			if !strings.Contains(got, "SIP/2.0 "+tc.want) {
				t.Errorf("got %q, want %s", got, tc.want)
			}
		})
	}
}

// TestOptions: a PBX probing us with OPTIONS gets 200 with Allow, Accept and Supported.
func TestOptions(t *testing.T) {
	u, err := NewUA(func() Config { c := Defaults(); c.Listen = "127.0.0.1:0"; return c }(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := gosip.ParseMessage([]byte("OPTIONS sip:door@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKopt\r\n" +
		"From: <sip:pbx@192.0.2.1>;tag=1\r\nTo: <sip:door@192.0.2.2>\r\nCall-ID: opt\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	req := msg.(*gosip.Request)
	req.SetSource("192.0.2.1:5060")
	tx := siptest.NewServerTxRecorder(req)
	defer tx.Terminate()
	u.dispatch(req, tx)
	res := tx.Result()
	if len(res) != 1 || res[0].StatusCode != 200 {
		t.Fatalf("responses %v", res)
	}
	for _, h := range []string{"Allow", "Accept", "Supported"} {
		if res[0].GetHeader(h) == nil {
			t.Errorf("no %s in %s", h, res[0])
		}
	}
	if !strings.Contains(res[0].GetHeader("Allow").Value(), "INVITE") {
		t.Errorf("Allow: %s", res[0].GetHeader("Allow").Value())
	}
}
