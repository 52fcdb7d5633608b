package sip

import (
	"context"
	"testing"
	"time"

	gosip "github.com/emiago/sipgo/sip"
)

// TestRingingBeforeAnswerReordered: a 180 that arrived before the 200 but reached the
// INVITE transaction after it (sipgo handles each response in its own goroutine; the
// transaction then drops the 180) is still reported, as Ringing before Answered. The test
// drives the reordering itself: the 180 goes through the UA's read filter as the datagram
// read first, and never reaches the transaction.
func TestRingingBeforeAnswerReordered(t *testing.T) {
	u := startUA(t, nil)
	p := startRawPeer(t, u)
	call, err := u.Dial(context.Background(), "sip:raw@"+p.pc.LocalAddr().String(), offerFor(4000, pcma))
	if err != nil {
		t.Fatal(err)
	}
	inv, ok := p.next().(*gosip.Request)
	if !ok || inv.Method != gosip.INVITE {
		t.Fatalf("want the INVITE, got %v", inv)
	}
	reply := func(code int, reason, body string) *gosip.Response {
		res := gosip.NewResponseFromRequest(inv, code, reason, nil)
		res.To().Params.Add("tag", "rawtag2")
		res.AppendHeader(gosip.NewHeader("Contact", "<sip:raw@"+p.pc.LocalAddr().String()+">"))
		if body != "" {
			res.AppendHeader(gosip.NewHeader("Content-Type", "application/sdp"))
			res.SetBody([]byte(body))
		}
		return res
	}
	u.readFilter(gosip.TransportReadProps{Transport: "UDP"}, []byte(reply(180, "Ringing", "").String()))
	if _, err := p.pc.WriteTo([]byte(reply(200, "OK", rawSDP("sendrecv")).String()), p.ua); err != nil {
		t.Fatal(err)
	}
	var kinds []EventKind
	deadline := time.After(10 * time.Second)
	for len(kinds) == 0 || kinds[len(kinds)-1] != Answered {
		select {
		case ev := <-u.Events():
			kinds = append(kinds, ev.Kind)
		case <-deadline:
			t.Fatalf("events %v and no Answered", kinds)
		}
	}
	if len(kinds) != 2 || kinds[0] != Ringing {
		t.Errorf("events %v, want Ringing then Answered", kinds)
	}
	if ack, ok := p.next().(*gosip.Request); !ok || ack.Method != gosip.ACK {
		t.Fatalf("want the ACK, got %v", ack)
	}
	call.Hangup()
	if bye, ok := p.next().(*gosip.Request); ok && bye.Method == gosip.BYE {
		_, _ = p.pc.WriteTo([]byte(gosip.NewResponseFromRequest(bye, 200, "OK", nil).String()), p.ua)
	}
	waitEvent(t, u, Ended)
}

// FuzzNoteArrival: whatever a datagram holds, noting it neither panics nor keeps more than
// maxArrivals responses for a call.
func FuzzNoteArrival(f *testing.F) {
	const callID = "fuzzcall"
	base := "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1\r\nFrom: <sip:door@a>;tag=1\r\nTo: <sip:b@a>;tag=2\r\n" +
		"Call-ID: " + callID + "\r\nCSeq: 7 INVITE\r\nContent-Length: 0\r\n\r\n"
	for _, start := range []string{"SIP/2.0 180 Ringing\r\n", "SIP/2.0 183 Progress\r\n", "SIP/2.0 200 OK\r\n", "SIP/2.0 100 Trying\r\n", "INVITE sip:a SIP/2.0\r\n"} {
		f.Add([]byte(start + base))
	}
	f.Add([]byte("SIP/2.0 180 \r\nCSeq: x\r\n\r\n"))
	u, err := NewUA(Defaults(), Options{})
	if err != nil {
		f.Fatal(err)
	}
	c := &Call{ua: u, id: callID}
	u.calls[callID] = c
	f.Fuzz(func(t *testing.T, data []byte) {
		u.noteArrival("UDP", data)
		c.mu.Lock()
		n := len(c.arrived.early)
		c.mu.Unlock()
		if n > maxArrivals {
			t.Fatalf("%d responses kept", n)
		}
	})
}
