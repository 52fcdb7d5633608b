//go:build linux

package reliability

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/doorsip/intercom/config"
	"github.com/doorsip/intercom/internal/app"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/testpeer"
	"github.com/doorsip/intercom/media"
	"github.com/doorsip/intercom/sip"
)

// FuzzParseURI: config and dial targets go through sip.ParseURI; whatever it accepts is
// sane.
func FuzzParseURI(f *testing.F) {
	for _, s := range []string{"sip:101@192.168.1.10", "sips:door@[::1]:5061;transport=tls",
		"sip:pbx.example", "sip:@x", "sip:a@b:0", "sip:a@[::1", "sip:a@b:65536;transport=sctp", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := sip.ParseURI(s)
		if err != nil {
			return
		}
		if (u.Scheme != "sip" && u.Scheme != "sips") || u.Host == "" || u.Port < 0 || u.Port > 65535 {
			t.Fatalf("ParseURI(%q) = %+v", s, u)
		}
	})
}

// FuzzParsePortRange: media.rtp_ports accepted only as an ordered range of valid ports.
func FuzzParsePortRange(f *testing.F) {
	for _, s := range []string{"10000-10999", "1-2", "0-1", "65534-65535", "5-4", "-", "10000", "+1-+3", " 1-3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lo, hi, err := media.ParsePortRange(s)
		if err != nil {
			return
		}
		if lo < 1 || hi > 65535 || lo >= hi {
			t.Fatalf("ParsePortRange(%q) = %d, %d", s, lo, hi)
		}
	})
}

// liveDoor is one App shared by every input of FuzzSIPDatagram in a process (a fuzz worker
// runs many inputs; starting an App per input would measure start-up, not parsing).
var liveDoor struct {
	once sync.Once
	a    *app.App
	addr string
	conn *net.UDPConn
	err  error
	stop func()
	n    int
}

func startLiveDoor() {
	d := &liveDoor
	port, _, releaseSIP, err := testpeer.ReservePorts(1)
	if err != nil {
		d.err = err
		return
	}
	lo, hi, releaseRTP, err := testpeer.ReservePorts(21)
	if err != nil {
		releaseSIP()
		d.err = err
		return
	}
	// The probe's source is trusted so the rate limit the fuzz inputs drain (all from
	// 127.0.0.1, 10/s) never drops it: a silent door then means a dead one, not a busy bucket.
	scanner := "[sip.scanner]\ntrusted = [\"" + probeSource + "/32\"]\n"
	cfg, err := config.Parse("door.toml", []byte(doorTOMLRTP(port, lo, hi, "", "", 0, scanner)))
	if err != nil {
		d.err = err
		return
	}
	d.a, d.err = app.New(cfg, app.Options{})
	if d.err != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = d.a.Run(ctx); close(done) }()
	d.stop = func() { cancel(); <-done; releaseRTP(); releaseSIP() }
	d.addr = fmt.Sprintf("127.0.0.1:%d", port)
	if d.err = doorAnswers(d.addr, probeWithin); d.err != nil {
		return
	}
	ra, _ := net.ResolveUDPAddr("udp4", d.addr)
	d.conn, d.err = net.DialUDP("udp4", nil, ra)
}

// stopLiveDoor is called by TestMain.
func stopLiveDoor() {
	if liveDoor.stop != nil {
		liveDoor.stop()
	}
}

// FuzzSIPDatagram sends each input as one UDP datagram to a running door (sipgo's parser,
// our validation, dialog and call handling): the process must not crash, the relay must
// never move, and every 100 inputs the door must still answer OPTIONS.
func FuzzSIPDatagram(f *testing.F) {
	via := "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKf%d\r\n"
	for i, s := range []string{
		"INVITE sip:door@127.0.0.1 SIP/2.0\r\n" + via + "From: <sip:666@203.0.113.9>;tag=1\r\nTo: <sip:door@127.0.0.1>\r\nCall-ID: f1\r\nCSeq: 1 INVITE\r\nContact: <sip:666@127.0.0.1:5999>\r\nMax-Forwards: 70\r\nContent-Type: application/sdp\r\nContent-Length: 34\r\n\r\nv=0\r\nm=audio 9 RTP/AVP 0\r\nc=IN IP4 x\r\n",
		"OPTIONS sip:door@127.0.0.1 SIP/2.0\r\n" + via + "From: <sip:s@203.0.113.9>;tag=1\r\nTo: <sip:door@127.0.0.1>\r\nCall-ID: f2\r\nCSeq: 1 OPTIONS\r\nUser-Agent: friendly-scanner\r\nContent-Length: 0\r\n\r\n",
		"REGISTER sip:127.0.0.1 SIP/2.0\r\n" + via + "From: <sip:100@127.0.0.1>;tag=1\r\nTo: <sip:100@127.0.0.1>\r\nCall-ID: f3\r\nCSeq: 1 REGISTER\r\nContact: <sip:100@127.0.0.1:5999>\r\nExpires: 3600\r\nContent-Length: 0\r\n\r\n",
		"INFO sip:door@127.0.0.1 SIP/2.0\r\n" + via + "From: <sip:101@127.0.0.1>;tag=1\r\nTo: <sip:door@127.0.0.1>;tag=x\r\nCall-ID: f4\r\nCSeq: 2 INFO\r\nContent-Type: application/dtmf-relay\r\nContent-Length: 10\r\n\r\nSignal=#\r\n",
		"BYE sip:door@127.0.0.1 SIP/2.0\r\n" + via + "From: <sip:101@127.0.0.1>;tag=1\r\nTo: <sip:door@127.0.0.1>;tag=x\r\nCall-ID: f5\r\nCSeq: 3 BYE\r\nContent-Length: 0\r\n\r\n",
		"SIP/2.0 200 OK\r\n" + via + "From: <sip:door@127.0.0.1>;tag=1\r\nTo: <sip:101@127.0.0.1>;tag=2\r\nCall-ID: f6\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
		"\r\n\r\n",
	} {
		f.Add([]byte(strings.Replace(s, "%d", fmt.Sprint(i), 1)))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		liveDoor.once.Do(startLiveDoor)
		d := &liveDoor
		if d.err != nil {
			t.Fatalf("live door: %v", d.err)
		}
		_, _ = d.conn.Write(msg)
		if d.a.Board().Sim().Output(door.RelayDoor) {
			t.Fatalf("relay energised after %q", msg)
		}
		d.n++
		if d.n%100 == 0 {
			if err := doorAnswers(d.addr, probeWithin); err != nil {
				t.Fatalf("door stopped answering OPTIONS after %d datagrams (last %q): %v", d.n, msg, err)
			}
		}
	})
}

const (
	// probeSource is the liveness probe's own loopback address, trusted by the live door.
	probeSource = "127.0.0.2"
	// probeWithin bounds the wait for a dead door: under the fuzz worker's 10 s limit per
	// input, far above a loaded machine's answer time (an answer ends the wait at once).
	probeWithin = 7 * time.Second
)

// doorAnswers sends OPTIONS from probeSource to addr, again every 250 ms (UDP: the fuzz inputs
// can fill the door's socket buffer), until a response comes or within has passed.
func doorAnswers(addr string, within time.Duration) error {
	ra, err := net.ResolveUDPAddr("udp4", addr)
	if err != nil {
		return err
	}
	c, err := net.DialUDP("udp4", &net.UDPAddr{IP: net.ParseIP(probeSource)}, ra)
	if err != nil {
		return err
	}
	defer c.Close()
	la := c.LocalAddr().String()
	id := strconv.FormatInt(time.Now().UnixNano(), 36)
	msg := []byte("OPTIONS sip:" + addr + " SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP " + la + ";branch=z9hG4bKprobe" + id + "\r\n" +
		"From: <sip:probe@" + la + ">;tag=p1\r\nTo: <sip:" + addr + ">\r\n" +
		"Call-ID: probe-" + id + "\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
	buf := make([]byte, 2048)
	end := time.Now().Add(within)
	for time.Now().Before(end) {
		_ = c.SetReadDeadline(time.Now().Add(250 * time.Millisecond))
		_, err := c.Write(msg)
		if err == nil {
			var n int
			if n, err = c.Read(buf); err == nil && bytes.HasPrefix(buf[:n], []byte("SIP/2.0 ")) {
				return nil
			}
		}
		if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
			// Refused at once (the door not listening yet): retry at the same pace.
			time.Sleep(250 * time.Millisecond)
		}
	}
	return fmt.Errorf("no answer to OPTIONS from %s within %v", probeSource, within)
}
