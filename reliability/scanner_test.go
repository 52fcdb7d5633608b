//go:build linux

package reliability

import (
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestScannerPatterns: a friendly-scanner sweeps sequential extensions with OPTIONS and
// REGISTER at about 200/s from one source. The door must keep working and its log must not
// grow with every probe. Responses should also be rate-limited: the figure (answered
// of sent) is logged, and the test fails only if the door stops answering a normal OPTIONS.
func TestScannerPatterns(t *testing.T) {
	r := startRig(t, rigOptions{})
	c, err := net.Dial("udp4", r.sip)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var answered atomic.Int64
	go func() {
		buf := make([]byte, 4096)
		for {
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			if strings.HasPrefix(string(buf[:n]), "SIP/2.0 ") {
				answered.Add(1)
			}
		}
	}()
	la := c.LocalAddr().String()
	logBefore := strings.Count(r.logs.String(), "\n")
	const probes = 600
	start := time.Now()
	for i := 0; i < probes; i++ {
		method, ext := "OPTIONS", 100+i/2
		if i%2 == 1 {
			method = "REGISTER"
		}
		msg := fmt.Sprintf("%s sip:%d@%s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bKscan%d\r\n"+
			"From: \"%d\" <sip:%d@%s>;tag=s%d\r\nTo: \"%d\" <sip:%d@%s>\r\nCall-ID: scan%d@%s\r\n"+
			"CSeq: 1 %s\r\nContact: <sip:%d@%s>\r\nUser-Agent: friendly-scanner\r\nMax-Forwards: 70\r\n"+
			"Expires: 3600\r\nContent-Length: 0\r\n\r\n",
			method, ext, r.sip, la, i, ext, ext, r.sip, i, ext, ext, r.sip, i, la, method, ext, la)
		if _, err := c.Write([]byte(msg)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	sent := time.Since(start)
	time.Sleep(500 * time.Millisecond)
	logLines := strings.Count(r.logs.String(), "\n") - logBefore
	t.Logf("scanner: %d OPTIONS/REGISTER in %.1f s from one source: %d answered, %d door log lines",
		probes, sent.Seconds(), answered.Load(), logLines)
	if answered.Load() >= probes*9/10 {
		t.Logf("scanner: MISSING rate limit: every probe was answered (a scanner must get rate-limited responses)")
	}
	if logLines > 10 {
		t.Errorf("the scanner produced %d log lines: logging is not rate-limited", logLines)
	}
	if !sipAnswers(r.sip) {
		t.Error("door stopped answering OPTIONS after the scan")
	}
}
