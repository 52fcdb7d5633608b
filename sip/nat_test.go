package sip

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	gosip "github.com/emiago/sipgo/sip"
)

// TestNATAddresses: the registrar reports our REGISTER as coming from 203.0.113.7:40000.
// With nat = "auto" every Contact (REGISTER, our INVITE, our 200 to its INVITE) and the SDP
// c=/o= name that address; "fixed" names public_address; "off" names the local address.
// The RTP port is ours in every mode.
func TestNATAddresses(t *testing.T) {
	tests := []struct {
		name, nat, public string
		wantHost          string // "" = 127.0.0.1
		wantPort          int    // 0 = our listening port
	}{
		{"auto", NATAuto, "", "203.0.113.7", 40000},
		{"fixed", NATFixed, "198.51.100.9", "198.51.100.9", 0},
		{"fixed with port", NATFixed, "198.51.100.9:5070", "198.51.100.9", 5070},
		{"off", NATOff, "", "127.0.0.1", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := startFakeRegistrar(t, func(req *gosip.Request, n int) (int, func(*gosip.Response)) {
				return 200, func(res *gosip.Response) {
					v := res.Via()
					v.Params.Remove("received")
					v.Params.Remove("rport")
					v.Params.Add("received", "203.0.113.7")
					v.Params.Add("rport", "40000")
				}
			})
			var mu sync.Mutex
			var invite *gosip.Request
			var answer *gosip.Response
			got := make(chan struct{}, 4)
			f.mu.Lock()
			f.other = func(msg gosip.Message, reply func(string)) {
				switch m := msg.(type) {
				case *gosip.Request:
					switch m.Method {
					case gosip.INVITE:
						mu.Lock()
						invite = m
						mu.Unlock()
						reply(gosip.NewResponseFromRequest(m, 486, "Busy Here", nil).String())
						got <- struct{}{}
					case gosip.BYE:
						reply(gosip.NewResponseFromRequest(m, 200, "OK", nil).String())
					}
				case *gosip.Response:
					if m.StatusCode == 200 && m.CSeq().MethodName == gosip.INVITE {
						mu.Lock()
						answer = m
						mu.Unlock()
						got <- struct{}{}
					}
				}
			}
			f.mu.Unlock()
			u := runUA(t, context.Background(), func(c *Config) {
				c.Accounts = []Account{fakeAccount(f)}
				c.Keepalive = 0
				c.NAT, c.PublicAddress = tt.nat, tt.public
			}, clock.NewFake(time.Unix(1_700_000_000, 0)))
			ev := waitReg(t, u, Registered)
			port := tt.wantPort
			if port == 0 {
				port = int(u.Addr("udp").Port())
			}
			want := fmt.Sprintf("%s:%d", tt.wantHost, port)
			if !strings.Contains(ev.Reg.Contact, want) {
				t.Errorf("REGISTER Contact %q, want %s", ev.Reg.Contact, want)
			}

			// Our INVITE through the account.
			if _, err := u.Dial(context.Background(), "phone", offerFor(4000, pcma)); err != nil {
				t.Fatal(err)
			}
			waitChan(t, got, "INVITE at the registrar")
			mu.Lock()
			checkNATMessage(t, "INVITE", invite.Contact(), invite.Body(), want, tt.wantHost, 4000)
			mu.Unlock()

			// The registrar's INVITE to us, answered.
			f.send(t, u, natInvite(f, u))
			in := waitEvent(t, u, IncomingCall).Call
			holes := make(chan netip.AddrPort, 1)
			o := offerFor(4002, pcma)
			o.Pinhole = func(a netip.AddrPort) { holes <- a }
			if err := in.Answer(o); err != nil {
				t.Fatal(err)
			}
			select {
			case a := <-holes: // called before the 200 left
				if a.String() != "127.0.0.1:6000" {
					t.Errorf("pinhole to %s, want the offer's 127.0.0.1:6000", a)
				}
			default:
				t.Error("Answer returned without opening a pinhole to the caller's RTP address")
			}
			waitChan(t, got, "200 to the registrar's INVITE")
			mu.Lock()
			checkNATMessage(t, "200", answer.Contact(), answer.Body(), want, tt.wantHost, 4002)
			mu.Unlock()
		})
	}
}

func checkNATMessage(t *testing.T, what string, ct *gosip.ContactHeader, body []byte, contact, host string, rtpPort int) {
	t.Helper()
	if ct == nil || ct.Address.HostPort() != contact {
		t.Errorf("%s Contact %v, want %s", what, ct, contact)
	}
	for _, line := range []string{"c=IN IP4 " + host + "\r\n", fmt.Sprintf("IN IP4 %s\r\ns=", host), fmt.Sprintf("m=audio %d ", rtpPort)} {
		if !strings.Contains(string(body), line) {
			t.Errorf("%s SDP lacks %q:\n%s", what, line, body)
		}
	}
}

func waitChan(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s", what)
	}
}

// send writes msg from the registrar's socket to u.
func (f *fakeRegistrar) send(t *testing.T, u *UA, msg string) {
	t.Helper()
	if _, err := f.pc.WriteTo([]byte(msg), net.UDPAddrFromAddrPort(u.Addr("udp"))); err != nil {
		t.Fatal(err)
	}
}

// natInvite is an INVITE from the registrar's socket to u, as a proxy relays a call to the
// door's registered Contact.
func natInvite(f *fakeRegistrar, u *UA) string {
	src := f.pc.LocalAddr().String()
	sdp := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n"
	return fmt.Sprintf("INVITE sip:door@%s SIP/2.0\r\n"+
		"Via: SIP/2.0/UDP %s;branch=z9hG4bK-nat-%d;rport\r\n"+
		"From: <sip:phone@127.0.0.1>;tag=ph1\r\nTo: <sip:door@127.0.0.1>\r\n"+
		"Call-ID: nat-in-%d\r\nCSeq: 1 INVITE\r\nContact: <sip:phone@%s>\r\nMax-Forwards: 70\r\n"+
		"Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s",
		u.Addr("udp"), src, u.Addr("udp").Port(), u.Addr("udp").Port(), src, len(sdp), sdp)
}

// TestPublicOffer: the SDP address becomes the public one only where it named us; an
// address found otherwise (a STUN mapping) is kept.
func TestPublicOffer(t *testing.T) {
	local := netip.MustParseAddr("192.168.1.20")
	pub := publicAddr{ip: netip.MustParseAddr("203.0.113.7"), port: 5060}
	tests := []struct {
		name string
		addr string
		p    publicAddr
		want string
	}{
		{"unspecified, behind NAT", "0.0.0.0:4000", pub, "203.0.113.7:4000"},
		{"local, behind NAT", "192.168.1.20:4000", pub, "203.0.113.7:4000"},
		{"STUN mapping kept", "198.51.100.1:31000", pub, "198.51.100.1:31000"},
		{"unspecified, no NAT", "0.0.0.0:4000", publicAddr{}, "192.168.1.20:4000"},
		{"local, no NAT", "192.168.1.20:4000", publicAddr{}, "192.168.1.20:4000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := publicOffer(MediaOffer{Addr: netip.MustParseAddrPort(tt.addr)}, local, tt.p)
			if o.Addr.String() != tt.want {
				t.Errorf("got %s, want %s", o.Addr, tt.want)
			}
		})
	}
}

// TestIsPublicHost: which peers a fixed public address is named to.
func TestIsPublicHost(t *testing.T) {
	for hp, want := range map[string]bool{
		"203.0.113.7:5060":   true,
		"192.168.1.1:5060":   false,
		"10.0.0.1:5060":      false,
		"172.16.0.1:5060":    false,
		"100.64.1.1:5060":    false, // carrier-grade NAT
		"127.0.0.1:5060":     false,
		"169.254.1.1:5060":   false,
		"[2001:db8::1]:5060": true,
		"[fd00::1]:5060":     false,
		"pbx.example:5060":   false,
	} {
		if got := isPublicHost(hp); got != want {
			t.Errorf("isPublicHost(%s) = %v, want %v", hp, got, want)
		}
	}
}

// TestNATConfig: nat and public_address are checked together, each problem named by key.
func TestNATConfig(t *testing.T) {
	tests := []struct {
		nat, public string
		wantKey     string // "" = valid
	}{
		{"", "", ""},
		{NATAuto, "", ""},
		{NATOff, "", ""},
		{NATFixed, "203.0.113.7", ""},
		{NATFixed, "203.0.113.7:5070", ""},
		{NATFixed, "", "nat"},
		{NATFixed, "router.example", "public_address"},
		{NATFixed, "0.0.0.0", "public_address"},
		{NATAuto, "203.0.113.7", "public_address"},
		{"stun", "", "nat"},
	}
	for _, tt := range tests {
		c := Defaults()
		c.NAT, c.PublicAddress = tt.nat, tt.public
		err := c.Validate()
		if tt.wantKey == "" {
			if err != nil {
				t.Errorf("nat %q public %q: %v", tt.nat, tt.public, err)
			}
			continue
		}
		if err == nil || !strings.HasPrefix(err.Error(), tt.wantKey+":") {
			t.Errorf("nat %q public %q: %v, want an error for %s", tt.nat, tt.public, err, tt.wantKey)
		}
	}
}
