package sip

import (
	"testing"
	"time"

	gosip "github.com/emiago/sipgo/sip"
)

func TestAnswerAfter(t *testing.T) {
	for _, tc := range []struct {
		hdr  string
		want time.Duration
		ok   bool
	}{
		{"Call-Info: <sip:pbx.example>;answer-after=0\r\n", 0, true},
		{"Call-Info: <http://x>;purpose=info;Answer-After=5\r\n", 5 * time.Second, true},
		{"Call-Info: <sip:pbx.example>;answer-after=soon\r\n", 0, false},
		{"", 0, false},
		{"Alert-Info: <http://www.notused.com>;info=alert-autoanswer;delay=0\r\n", 0, true},
		{"Alert-Info: <http://www.notused.com>;info=alert-autoanswer;delay=3\r\n", 3 * time.Second, true},
		{"Alert-Info: <http://x>;info=Intercom\r\n", 0, true},
		{"Alert-Info: Ring Answer\r\n", 0, true},
		{"Alert-Info: <http://x>;answer-after=2\r\n", 2 * time.Second, true},
		{"Alert-Info: <urn:alert:service:auto-answer>\r\n", 0, true},
		{"Alert-Info: <http://x/ring.wav>, <urn:alert:service:auto-answer>\r\n", 0, true},
		{"Alert-Info: <http://x/bellcore-dr2>;info=alert-group\r\n", 0, false},
		{"Alert-Info: <http://x>;info=alert-autoanswer;delay=99999\r\n", 0, true},
		{"Call-Info: <sip:pbx>;answer-after=-1\r\nAlert-Info: <http://x/ring.wav>\r\n", 0, false},
	} {
		msg, err := gosip.ParseMessage([]byte("INVITE sip:door@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n" +
			"From: <sip:pbx@192.0.2.1>;tag=1\r\nTo: <sip:door@192.0.2.2>\r\nCall-ID: a\r\nCSeq: 1 INVITE\r\n" + tc.hdr + "Content-Length: 0\r\n\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		d, ok := answerAfter(msg.(*gosip.Request))
		if d != tc.want || ok != tc.ok {
			t.Errorf("%q: %v %v, want %v %v", tc.hdr, d, ok, tc.want, tc.ok)
		}
	}
}

func FuzzAnswerAfter(f *testing.F) {
	f.Add("Call-Info: <sip:pbx.example>;answer-after=0\r\n")
	f.Add("Alert-Info: <http://x>;info=alert-autoanswer;delay=5\r\n")
	f.Add("Alert-Info: Ring Answer, <urn:alert:service:auto-answer>\r\n")
	f.Fuzz(func(t *testing.T, hdr string) {
		msg, err := gosip.ParseMessage([]byte("INVITE sip:door@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n" +
			"From: <sip:pbx@192.0.2.1>;tag=1\r\nTo: <sip:door@192.0.2.2>\r\nCall-ID: a\r\nCSeq: 1 INVITE\r\n" + hdr + "\r\nContent-Length: 0\r\n\r\n"))
		if err != nil {
			return
		}
		req, ok := msg.(*gosip.Request)
		if !ok {
			return
		}
		if d, ok := answerAfter(req); ok && (d < 0 || d > maxAnswerAfter*time.Second) {
			t.Fatalf("%q: delay %v", hdr, d)
		}
	})
}
