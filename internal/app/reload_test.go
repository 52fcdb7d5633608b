package app

import (
	"bytes"
	"net"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/doorsip/intercom/config"
	"github.com/doorsip/intercom/internal/testpeer"
)

func TestRestartNeeded(t *testing.T) {
	base := "[sip]\nlisten = \"127.0.0.1:5070\"\n[audio]\ncapture = \"tone:440\"\nplayback = \"null\"\n[gpio]\nchip = \"sim\"\n"
	parse := func(extra string) *config.Config {
		t.Helper()
		c, err := config.Parse("r.toml", []byte(base+extra))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	old := parse("")
	tests := []struct {
		name, extra string
		want        []string
	}{
		{"nothing", "", nil},
		{"scanner applies live", "[sip.scanner]\nrate = 2\ntrusted = [\"10.0.0.0/8\"]\n", nil},
		{"door applies live", "[door]\nopen_for = \"5s\"\n", nil},
		{"account needs a restart", "[[account]]\nregistrar = \"sip:192.0.2.1\"\nuser = \"door\"\n", []string{"sip/account"}},
		{"gpio needs a restart", "[[button]]\nname = \"bell\"\nline = 17\naction = \"open\"\n", []string{"gpio lines"}},
		{"users file applies live", "[access]\nusers_file = \"/nonexistent/users.toml\"\n", nil},
		{"access keys need a restart", "[access]\nsubmit_key = \"*\"\nclear_key = \"#\"\n", []string{"access keys, time zone and reader formats"}},
		{"a reader needs a restart", "[[reader]]\nname = \"gate\"\nd0 = 5\nd1 = 6\n", []string{"gpio lines", "access keys, time zone and reader formats"}},
		{"a relay needs a restart", "[[relay]]\nname = \"gate\"\nline = 4\n", []string{"gpio lines"}},
	}
	for _, tt := range tests {
		if got := restartNeeded(old, parse(tt.extra)); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestReloadScanner: over real UDP, a source past its burst gets no answers until a reload
// trusts its network; then every request is answered, without a restart.
func TestReloadScanner(t *testing.T) {
	port := testpeer.FreePort(t)
	a := startUnit(t, "door", port, "")
	addr := "127.0.0.1:" + strconv.Itoa(port)
	flood := func(n int) int {
		c, err := net.Dial("udp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		la := c.LocalAddr().String()
		for i := 0; i < n; i++ {
			id := strconv.FormatInt(time.Now().UnixNano(), 36) + strconv.Itoa(i)
			msg := "OPTIONS sip:" + addr + " SIP/2.0\r\nVia: SIP/2.0/UDP " + la + ";branch=z9hG4bK" + id + "\r\n" +
				"From: <sip:probe@" + la + ">;tag=p1\r\nTo: <sip:" + addr + ">\r\nCall-ID: probe-" + id +
				"\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
			if _, err := c.Write([]byte(msg)); err != nil {
				t.Fatal(err)
			}
		}
		answered := 0
		buf := make([]byte, 4096)
		for {
			_ = c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
			k, err := c.Read(buf)
			if err != nil {
				return answered
			}
			if bytes.HasPrefix(buf[:k], []byte("SIP/2.0 200")) {
				answered++
			}
		}
	}
	if got := flood(30); got != 20 {
		t.Fatalf("before the reload: %d of 30 answered, want the burst of 20", got)
	}
	cfg := *a.cfg
	cfg.SIP.Scanner.Trusted = []string{"127.0.0.0/8"}
	if err := a.Reload(&cfg); err != nil {
		t.Fatal(err)
	}
	if got := flood(30); got != 30 {
		t.Errorf("after trusting 127.0.0.0/8: %d of 30 answered", got)
	}
	if st := a.UA().Stats(); st.RateDropped != 10 {
		t.Errorf("rate drops %d, want the 10 from before the reload", st.RateDropped)
	}
}
