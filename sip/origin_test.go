package sip

import (
	"net/netip"
	"testing"
	"time"

	gosip "github.com/emiago/sipgo/sip"
	"github.com/emiago/sipgo/siptest"
)

// TestOrigin: an incoming call reports its packet source, whether that is the registrar,
// whether it is addressed to an account, and the From host.
func TestOrigin(t *testing.T) {
	c := Defaults()
	c.Listen = "127.0.0.1:0"
	c.Accounts = []Account{{ID: "pbx", Registrar: "sip:192.0.2.1", User: "door", Password: "x", Expires: time.Hour}}
	u, err := NewUA(c, Options{Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, ruriUser, src string
		want                Origin
	}{
		{"account call from the registrar", "door", "192.0.2.1:5060",
			Origin{Source: netip.MustParseAddr("192.0.2.1"), FromRegistrar: true, ForAccount: true, FromHost: "198.51.100.7"}},
		{"account call from elsewhere", "door", "203.0.113.9:5060",
			Origin{Source: netip.MustParseAddr("203.0.113.9"), ForAccount: true, FromHost: "198.51.100.7"}},
		{"userless call", "frontdoor", "203.0.113.9:5060",
			Origin{Source: netip.MustParseAddr("203.0.113.9"), FromHost: "198.51.100.7"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := gosip.ParseMessage([]byte("INVITE sip:" + tt.ruriUser + "@192.0.2.2 SIP/2.0\r\n" +
				"Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKorigin" + string(rune('a'+i)) + "\r\n" +
				"From: <sip:101@198.51.100.7>;tag=1\r\nTo: <sip:door@192.0.2.2>\r\nCall-ID: origin-" + tt.name + "\r\n" +
				"CSeq: 1 INVITE\r\nContact: <sip:101@198.51.100.7>\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"))
			if err != nil {
				t.Fatal(err)
			}
			req := msg.(*gosip.Request)
			req.SetSource(tt.src)
			tx := siptest.NewServerTxRecorder(req)
			defer tx.Terminate()
			done := make(chan struct{})
			go func() { defer close(done); u.dispatch(req, tx) }()
			ev := waitEvent(t, u, IncomingCall)
			got := ev.Call.Origin()
			ev.Call.Reject(486)
			<-done
			if got != tt.want {
				t.Errorf("Origin %+v, want %+v", got, tt.want)
			}
		})
	}
}
