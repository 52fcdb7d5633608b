package sip

import (
	"context"
	"strings"
	"testing"

	"github.com/doorsip/intercom/internal/testpeer"
)

// TestBaresip calls baresip (auto-answer) directly and through Kamailio, and takes a call
// from it; each call ends with our BYE or theirs.
func TestBaresip(t *testing.T) {
	ctx := context.Background()
	t.Run("we-call-direct", func(t *testing.T) {
		b := testpeer.StartBaresip(t, testpeer.BaresipOptions{AutoAnswer: true})
		u := runUA(t, ctx, nil, nil)
		call, err := u.Dial(ctx, b.URI, offerFor(4000, pcma, pcmu))
		if err != nil {
			t.Fatal(err)
		}
		waitEvent(t, u, Answered)
		n := call.Negotiated()
		if n.Codec.Name != "PCMA" || !n.Remote.IsValid() || n.Remote.Port() == 0 {
			t.Errorf("negotiated %+v", n)
		}
		if err := call.Hold(); err != nil {
			t.Errorf("hold: %v", err)
		}
		if err := call.Unhold(); err != nil {
			t.Errorf("unhold: %v", err)
		}
		call.Hangup()
		waitEvent(t, u, Ended)
	})
	t.Run("they-call-us", func(t *testing.T) {
		u := runUA(t, ctx, nil, nil)
		testpeer.StartBaresip(t, testpeer.BaresipOptions{Dial: sipURI(u, "door")})
		in := waitEvent(t, u, IncomingCall).Call
		in.Ring()
		if err := in.Answer(offerFor(5000, pcmu)); err != nil {
			t.Fatal(err)
		}
		waitEvent(t, u, Answered)
		if c := in.Negotiated().Codec.Name; c != "PCMU" {
			t.Errorf("codec %s", c)
		}
		in.Hangup()
		waitEvent(t, u, Ended)
	})
	t.Run("via-kamailio", func(t *testing.T) {
		k := testpeer.StartKamailio(t, testpeer.KamailioOptions{})
		b := testpeer.StartBaresip(t, testpeer.BaresipOptions{User: "101", Registrar: k.URI(), Password: "secret", AutoAnswer: true})
		u := runUA(t, ctx, func(c *Config) { c.Accounts = []Account{account(k, "door", "secret")} }, nil)
		waitReg(t, u, Registered)
		waitFor(t, func() bool { return strings.Contains(b.Output(), "200 OK") })
		call, err := u.Dial(ctx, "101", offerFor(4000, pcmu))
		if err != nil {
			t.Fatal(err)
		}
		waitEvent(t, u, Answered)
		if !call.Negotiated().Remote.IsValid() {
			t.Errorf("no remote media")
		}
		call.Hangup()
		waitEvent(t, u, Ended)
	})
}
