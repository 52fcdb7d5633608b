package testpeer

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// waitSIP keeps probing a peer that is not up yet: the ICMP port unreachable its probes
// draw (ECONNREFUSED on the connected socket's next read or write) is no answer, not a
// failure; once the port answers, it returns. The refusal lands on the write only when the
// prober was not scheduled within its 100 ms read (seen under load starting Kamailio); this
// test shows the read side and the timeout.
func TestWaitSIPProbesUntilUp(t *testing.T) {
	addr := "127.0.0.1:" + strconv.Itoa(FreePort(t))
	if err := waitSIP(addr, 300*time.Millisecond); err == nil || !strings.Contains(err.Error(), "no SIP answer") {
		t.Fatalf("nothing listening: %v, want no SIP answer", err)
	}
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	go func() {
		buf := make([]byte, 4096)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			pc.WriteTo([]byte("SIP/2.0 200 OK\r\n\r\n"[:min(n, 18)]), from)
		}
	}()
	if err := waitSIP(addr, 10*time.Second); err != nil {
		t.Fatal(err)
	}
}
