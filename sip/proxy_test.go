package sip

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/testpeer"
)

// TestCallThroughKamailio: two registered UAs call each other through Kamailio, which
// challenges the INVITE with 407 and record-routes the dialog (BYE, INFO and re-INVITE follow
// the route set).
func TestCallThroughKamailio(t *testing.T) {
	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{AuthInvite: true})
	ctx := context.Background()
	door := runUA(t, ctx, func(c *Config) { c.Accounts = []Account{account(k, "door", "secret")} }, nil)
	flat := runUA(t, ctx, func(c *Config) { c.Accounts = []Account{account(k, "101", "secret")} }, nil)
	waitReg(t, door, Registered)
	waitReg(t, flat, Registered)

	call, err := door.Dial(ctx, "101", offerFor(4000, pcma, pcmu))
	if err != nil {
		t.Fatal(err)
	}
	in := waitEvent(t, flat, IncomingCall).Call
	if got, want := in.Remote(), "sip:door@127.0.0.1"; got != want {
		t.Errorf("Remote() = %q, want %q", got, want)
	}
	in.Ring()
	waitEvent(t, door, Ringing)
	if err := in.Answer(offerFor(5000, pcmu, pcma)); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, door, Answered)
	waitEvent(t, flat, Answered)
	if c := call.Negotiated().Codec.Name; c != "PCMU" {
		t.Errorf("codec %s, want the callee's first choice PCMU", c)
	}
	if err := call.SendDTMF('7'); err != nil {
		t.Fatal(err)
	}
	if d := waitEvent(t, flat, DTMF).Digit; d != '7' {
		t.Errorf("digit %q", d)
	}
	if err := in.Hold(); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, door, MediaUpdate)
	if d := call.Negotiated().Direction; d != "recvonly" {
		t.Errorf("held direction %q", d)
	}
	in.Hangup()
	waitEvent(t, door, Ended)
	waitEvent(t, flat, Ended)
}

// TestSippThroughKamailio: sipp's built-in UAC calls our registered UA through Kamailio;
// we answer, sipp hangs up.
func TestSippThroughKamailio(t *testing.T) {
	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{})
	u := runUA(t, context.Background(), func(c *Config) { c.Accounts = []Account{account(k, "door", "secret")} }, nil)
	waitReg(t, u, Registered)
	msgs := filepath.Join(t.TempDir(), "sipp-messages.log")
	s := testpeer.StartSipp(t, testpeer.SippOptions{Scenario: "uac", Remote: k.Addr.String(), Service: "door",
		Args: []string{"-trace_msg", "-message_file", msgs}})
	in := waitEvent(t, u, IncomingCall).Call
	in.Ring()
	// Kamailio relays replies from two worker processes, so a 180 and a 200 sent back to
	// back can leave it in either order, and sipp's built-in uac aborts on a 180 after the
	// 200. A door answers seconds after ringing; answer once sipp has the 180.
	waitFor(t, func() bool {
		b, _ := os.ReadFile(msgs)
		return bytes.Contains(b, []byte("SIP/2.0 180 "))
	})
	if err := in.Answer(offerFor(5000, pcma, pcmu)); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, u, Answered)
	if c := in.Negotiated().Codec.Name; c != "PCMU" {
		t.Errorf("codec %s, want PCMU (all sipp offers)", c)
	}
	waitEvent(t, u, Ended)
	if err := s.Wait(t, 10*time.Second); err != nil {
		t.Error(err)
	}
}
