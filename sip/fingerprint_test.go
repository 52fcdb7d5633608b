package sip

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/testpeer"
	gosip "github.com/emiago/sipgo/sip"
	"github.com/emiago/sipgo/siptest"
)

// TestSippOptionsNoFingerprint: with the default config a scanner's OPTIONS is answered
// without Server or User-Agent (sipp fails the call if either appears).
func TestSippOptionsNoFingerprint(t *testing.T) {
	u := runUA(t, context.Background(), nil, nil)
	s := testpeer.StartSipp(t, testpeer.SippOptions{
		Scenario: filepath.Join("testdata", "sipp", "uac_options_probe.xml"),
		Remote:   u.Addr("udp").String(),
	})
	if err := s.Wait(t, 10*time.Second); err != nil {
		t.Error(err)
	}
}

// TestServerHeader: the Server header is there only when user_agent is configured.
func TestServerHeader(t *testing.T) {
	for _, ua := range []string{"", "Door 1"} {
		c := Defaults()
		c.Listen, c.UserAgent = "127.0.0.1:0", ua
		u, err := NewUA(c, Options{Logger: testLogger()})
		if err != nil {
			t.Fatal(err)
		}
		res := dispatchOptions(t, u, "192.0.2.1:5060")
		if len(res) != 1 {
			t.Fatalf("user_agent %q: responses %v", ua, res)
		}
		got := ""
		if h := res[0].GetHeader("Server"); h != nil {
			got = h.Value()
		}
		if got != ua {
			t.Errorf("user_agent %q: Server %q", ua, got)
		}
	}
}

// TestTrustedOnly: with trusted_only, OPTIONS and INVITE from outside the trusted networks
// and registrars get no answer at all (counted), while a trusted source is answered.
func TestTrustedOnly(t *testing.T) {
	c := Defaults()
	c.Listen = "127.0.0.1:0"
	c.Scanner.Trusted = []string{"192.168.1.0/24"}
	c.Scanner.TrustedOnly = true
	u, err := NewUA(c, Options{Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if res := dispatchOptions(t, u, "203.0.113.9:5060"); len(res) != 0 {
		t.Errorf("untrusted OPTIONS answered: %v", res)
	}
	if n := admitN(u, "203.0.113.9:5060", "invite-1", "", 3); n != 0 {
		t.Errorf("untrusted INVITEs admitted: %d", n)
	}
	if res := dispatchOptions(t, u, "192.168.1.20:5060"); len(res) != 1 || res[0].StatusCode != 200 {
		t.Errorf("trusted OPTIONS: %v", res)
	}
	if st := u.Stats(); st.UntrustedDropped != 4 {
		t.Errorf("UntrustedDropped %d, want 4", st.UntrustedDropped)
	}
	// A reload that turns it off answers everyone again.
	c.Scanner.TrustedOnly = false
	u.SetScanner(c.Scanner)
	if res := dispatchOptions(t, u, "203.0.113.9:5060"); len(res) != 1 {
		t.Errorf("after reload: %v", res)
	}
}

func dispatchOptions(t *testing.T, u *UA, src string) []*gosip.Response {
	t.Helper()
	msg, err := gosip.ParseMessage([]byte("OPTIONS sip:door@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKopt\r\n" +
		"From: <sip:pbx@192.0.2.1>;tag=1\r\nTo: <sip:door@192.0.2.2>\r\nCall-ID: opt-" + src + "\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	req := msg.(*gosip.Request)
	req.SetSource(src)
	tx := siptest.NewServerTxRecorder(req)
	defer tx.Terminate()
	u.dispatch(req, tx)
	return tx.Result()
}

// TestSDPNamesNoProduct: our SDP's session name is "-", not the product.
func TestSDPNamesNoProduct(t *testing.T) {
	body := string(buildSDP(offerFor(5000, pcma), 1, 1, "sendrecv"))
	if !strings.Contains(body, "\r\ns=-\r\n") || strings.Contains(strings.ToLower(body), "intercom") {
		t.Errorf("SDP:\n%s", body)
	}
}
