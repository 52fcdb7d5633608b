package media

import (
	"errors"
	"net"
	"testing"

	"github.com/doorsip/intercom/internal/clock"
)

func TestListenRTP(t *testing.T) {
	// A range of exactly one even/odd pair: the first caller gets it, the second finds none.
	var pr PortRange
	for lo := 41000; lo < 41100; lo += 2 {
		c, err := ListenRTP(lo, lo+1, loopback)
		if err != nil {
			continue
		}
		pr = PortRange{lo, lo + 1}
		defer c.Close()
		if p := c.LocalAddr().(*net.UDPAddr).Port; p != lo {
			t.Fatalf("bound %d, want %d", p, lo)
		}
		break
	}
	if pr.Low == 0 {
		t.Skip("no free port pair near 41000")
	}
	if _, err := pr.Listen(loopback); !errors.Is(err, ErrNoPorts) {
		t.Errorf("second bind of a one-pair range: %v, want ErrNoPorts", err)
	}
	// An odd low bound starts at the next even port.
	c, err := ListenRTP(41201, 41203, loopback)
	if err != nil {
		t.Skip(err)
	}
	if p := c.LocalAddr().(*net.UDPAddr).Port; p%2 != 0 {
		t.Errorf("odd RTP port %d", p)
	}
	c.Close()
	for _, r := range [][2]int{{5000, 5000}, {0, 10}, {65534, 65536}} {
		if _, err := ListenRTP(r[0], r[1], loopback); !errors.Is(err, ErrNoPorts) {
			t.Errorf("range %v: %v, want ErrNoPorts", r, err)
		}
	}
	cfg := Defaults()
	if r, err := cfg.PortRange(); err != nil || r != (PortRange{10000, 10999}) {
		t.Errorf("Defaults().PortRange() = %v, %v", r, err)
	}
}

func TestNewSessionRejects(t *testing.T) {
	conn, err := ListenRTP(42000, 42999, loopback)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	f := Format{8000, 1}
	ok := SessionConfig{Conn: conn, Codec: "PCMA", PayloadType: 8, DTMFPayloadType: 101}
	tests := []struct {
		name   string
		mod    func(*SessionConfig)
		cap    Format
		target error
	}{
		{"no conn", func(c *SessionConfig) { c.Conn = nil }, f, ErrConfig},
		{"unknown codec", func(c *SessionConfig) { c.Codec = "OPUS" }, f, ErrCodec},
		{"ptime 7ms", func(c *SessionConfig) { c.Ptime = 7_000_000 }, f, ErrConfig},
		{"payload type 200", func(c *SessionConfig) { c.PayloadType = 200 }, f, ErrConfig},
		{"dtmf type equals audio", func(c *SessionConfig) { c.DTMFPayloadType = 8 }, f, ErrConfig},
		{"direction", func(c *SessionConfig) { c.Direction = "both" }, f, ErrConfig},
		{"negative jitter", func(c *SessionConfig) { c.Jitter = -1 }, f, ErrConfig},
		{"dscp 64", func(c *SessionConfig) { c.DSCP = 64 }, f, ErrConfig},
		{"short srtp key", func(c *SessionConfig) { c.SRTP = &SRTPKeys{LocalKey: make([]byte, 16), RemoteKey: make([]byte, 30)} }, f, ErrConfig},
		{"srtp profile", func(c *SessionConfig) {
			c.SRTP = &SRTPKeys{Profile: "AEAD_AES_256_GCM", LocalKey: make([]byte, 30), RemoteKey: make([]byte, 30)}
		}, f, ErrConfig},
		{"44.1 kHz card", func(*SessionConfig) {}, Format{44100, 2}, ErrFormat},
		{"three channels", func(*SessionConfig) {}, Format{48000, 3}, ErrFormat},
	}
	for _, tc := range tests {
		cfg := ok
		tc.mod(&cfg)
		_, err := NewSession(cfg, NewSilence(tc.cap, clock.Real{}), NewNull(f, clock.Real{}), Options{})
		if !errors.Is(err, tc.target) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.target)
		}
	}
}
