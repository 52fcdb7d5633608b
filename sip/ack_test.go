package sip

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	gosip "github.com/emiago/sipgo/sip"
)

// rawPeer is a caller scripted message by message on a loopback UDP socket, for what no
// well-behaved peer does: withholding an ACK, repeating an INVITE as a new transaction.
type rawPeer struct {
	t      *testing.T
	pc     net.PacketConn
	ua     net.Addr
	callID string
	toTag  string
	branch int
}

func startRawPeer(t *testing.T, u *UA) *rawPeer {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return &rawPeer{t: t, pc: pc, ua: net.UDPAddrFromAddrPort(u.Addr("udp")), callID: "raw-" + gosip.GenerateTagN(8)}
}

// send writes a request; a new branch unless again (a retransmission).
func (p *rawPeer) send(method string, seq int, body string, again bool) {
	p.t.Helper()
	if !again {
		p.branch++
	}
	to := "<sip:door@" + p.ua.String() + ">"
	if p.toTag != "" {
		to += ";tag=" + p.toTag
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s sip:door@%s SIP/2.0\r\n", method, p.ua)
	fmt.Fprintf(&b, "Via: SIP/2.0/UDP %s;rport;branch=z9hG4bK-raw-%d\r\n", p.pc.LocalAddr(), p.branch)
	fmt.Fprintf(&b, "From: <sip:raw@%s>;tag=rawtag\r\nTo: %s\r\n", p.pc.LocalAddr(), to)
	fmt.Fprintf(&b, "Call-ID: %s\r\nCSeq: %d %s\r\n", p.callID, seq, method)
	fmt.Fprintf(&b, "Contact: <sip:raw@%s>\r\nMax-Forwards: 70\r\n", p.pc.LocalAddr())
	if body != "" {
		b.WriteString("Content-Type: application/sdp\r\n")
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(body), body)
	if _, err := p.pc.WriteTo([]byte(b.String()), p.ua); err != nil {
		p.t.Fatal(err)
	}
}

// next returns the next message other than 100 Trying, failing after a real-time bound
// (a deadline for a broken test, not a measurement).
func (p *rawPeer) next() gosip.Message {
	p.t.Helper()
	buf := make([]byte, 65535)
	for {
		_ = p.pc.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, _, err := p.pc.ReadFrom(buf)
		if err != nil {
			p.t.Fatalf("raw peer: %v", err)
		}
		msg, err := gosip.ParseMessage(append([]byte(nil), buf[:n]...))
		if err != nil {
			continue
		}
		if res, ok := msg.(*gosip.Response); ok && res.StatusCode == 100 {
			continue
		}
		return msg
	}
}

// response returns the next response, which must be code to CSeq seq.
func (p *rawPeer) response(code int, seq uint32) *gosip.Response {
	p.t.Helper()
	res, ok := p.next().(*gosip.Response)
	if !ok || res.StatusCode != code || res.CSeq().SeqNo != seq {
		p.t.Fatalf("got %v, want %d to CSeq %d", res, code, seq)
	}
	return res
}

// silent fails when a message arrives within a short real-time window.
func (p *rawPeer) silent() {
	p.t.Helper()
	buf := make([]byte, 65535)
	_ = p.pc.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if n, _, err := p.pc.ReadFrom(buf); err == nil {
		p.t.Fatalf("unexpected message:\n%s", buf[:n])
	}
}

func rawSDP(dir string) string {
	return "v=0\r\no=raw 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=audio 7000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\na=" + dir + "\r\n"
}

// TestReInviteNoAck: the 2xx to a re-INVITE is retransmitted at T1, 2*T1, ... on the fake
// clock (RFC 3261 section 13.3.1.4); the re-INVITE repeated as a new transaction gets the same
// 200; without an ACK for 64*T1 the call ends with BYE.
func TestReInviteNoAck(t *testing.T) {
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	// No session timer: the only timers on the clock are the retransmission's two.
	u := runUA(t, context.Background(), func(c *Config) { c.SessionExpires = 0 }, clk)
	p := startRawPeer(t, u)

	p.send("INVITE", 1, rawSDP("sendrecv"), false)
	in := waitEvent(t, u, IncomingCall).Call
	if err := in.Answer(offerFor(5000, pcma)); err != nil {
		t.Fatal(err)
	}
	ok := p.response(200, 1)
	p.toTag, _ = ok.To().Params.Get("tag")
	p.send("ACK", 1, "", false)
	waitEvent(t, u, Answered)
	waitFor(t, func() bool { return clk.Timers() == 0 }) // the initial 200's retransmission stopped

	p.send("INVITE", 2, rawSDP("sendonly"), false)
	first := p.response(200, 2)
	waitEvent(t, u, MediaUpdate)
	waitTimers(t, clk, 2)
	for _, d := range []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second} {
		clk.Advance(d)
		if again := p.response(200, 2); again.String() != first.String() {
			t.Errorf("retransmission differs:\n%s\n----\n%s", first, again)
		}
		waitTimers(t, clk, 2)
	}
	p.send("INVITE", 2, rawSDP("sendonly"), false)
	if again := p.response(200, 2); string(again.Body()) != string(first.Body()) {
		t.Errorf("repeated re-INVITE answered with another SDP:\n%s\n----\n%s", first.Body(), again.Body())
	}
	p.silent()

	clk.Advance(64*gosip.T1 - 3500*time.Millisecond)
	for {
		msg := p.next()
		if req, ok := msg.(*gosip.Request); ok && req.Method == gosip.BYE {
			break
		}
		if res, ok := msg.(*gosip.Response); !ok || res.StatusCode != 200 || res.CSeq().SeqNo != 2 {
			t.Fatalf("got %v, want retransmitted 200s, then BYE", msg)
		}
	}
	if ev := waitEvent(t, u, Ended); ev.Reason != "no ACK" {
		t.Errorf("ended %q", ev.Reason)
	}
}
