package media

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSTUNClientInterop: coturn's STUN client sends an RFC 5389 Binding request to a running
// session's RTP and RTCP ports and reads back the address it came from, as an ICE-lite peer's
// connectivity check would; the call's audio keeps flowing and nothing is counted invalid.
func TestSTUNClientInterop(t *testing.T) {
	// internal/testpeer imports media, so its Require cannot be used here.
	bin, err := exec.LookPath("turnutils_stunclient")
	if err != nil {
		if os.Getenv("INTERCOM_REQUIRE_PEERS") == "1" {
			t.Fatalf("turnutils_stunclient (apt package coturn) not installed and INTERCOM_REQUIRE_PEERS=1: %v", err)
		}
		t.Skipf("turnutils_stunclient not installed (apt package coturn): %v", err)
	}
	p := newPair(t, "PCMA", 8000, 101, Format{8000, 1}, Format{8000, 1})
	port := p.a.cfg.Conn.LocalAddr().(*net.UDPAddr).Port
	// The RTP port, then the RTCP port beside it.
	for _, probe := range []int{port, port + 1} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		out, err := exec.CommandContext(ctx, bin, "-p", strconv.Itoa(probe), "127.0.0.1").CombinedOutput()
		cancel()
		t.Logf("turnutils_stunclient -p %d:\n%s", probe, out)
		if err != nil {
			t.Fatalf("stun client: %v", err)
		}
		// It prints the reflexive address it learned from our XOR-MAPPED-ADDRESS.
		if !strings.Contains(string(out), "reflexive addr: 127.0.0.1:") || strings.Contains(strings.ToLower(string(out)), "error") {
			t.Errorf("port %d: no mapped address in the client's output", probe)
		}
	}
	st := p.a.Stats()
	if st.STUN < 2 || st.Invalid != 0 {
		t.Errorf("STUN %d invalid %d", st.STUN, st.Invalid)
	}
}
