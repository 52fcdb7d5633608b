package sip

import (
	"bytes"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
)

// TestScanLimiter drives the per-source bucket and the scanner filter on a fake clock:
// burst 20 then 10/s, sources independent, scanner User-Agents never answered and never
// taking a token, one log line per source per minute with a count.
func TestScanLimiter(t *testing.T) {
	a := netip.MustParseAddr("192.0.2.1")
	b := netip.MustParseAddr("192.0.2.2")
	type step struct {
		advance time.Duration
		src     netip.Addr
		ua      string
		n       int // requests sent
		allowed int // of which allowed
	}
	tests := []struct {
		name      string
		steps     []step
		want      Stats
		wantLines int
	}{
		{"burst then drop", []step{{0, a, "", 25, 20}}, Stats{RateDropped: 5}, 1},
		{"refill at 10/s", []step{{0, a, "", 20, 20}, {0, a, "", 1, 0}, {time.Second, a, "", 12, 10}}, Stats{RateDropped: 3}, 1},
		{"refill capped at burst", []step{{0, a, "", 20, 20}, {time.Hour, a, "", 25, 20}}, Stats{RateDropped: 5}, 1},
		{"sources independent", []step{{0, a, "", 30, 20}, {0, b, "", 5, 5}}, Stats{RateDropped: 10}, 1},
		{"scanner UA dropped, no token taken", []step{{0, a, "friendly-scanner", 50, 0}, {0, a, "Linphone/5", 20, 20}}, Stats{ScannerDropped: 50}, 1},
		{"scanner names case-insensitive", []step{
			{0, a, "SIPVicious 0.3", 1, 0}, {0, a, "sipcli/v1.8", 1, 0}, {0, a, "VaxSIPUserAgent/3.1", 1, 0},
			{0, a, "pplsip", 1, 0}, {0, a, "SundayDDR", 1, 0}, {0, a, "Grandstream GDS3710", 1, 1},
		}, Stats{ScannerDropped: 5}, 1},
		{"log again after a minute", []step{{0, a, "", 40, 20}, {30 * time.Second, a, "", 400, 20}, {31 * time.Second, a, "", 400, 20}},
			Stats{RateDropped: 20 + 380 + 380}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewFake(time.Unix(1_700_000_000, 0))
			var logs bytes.Buffer
			l := newScanLimiter(clk, slog.New(slog.NewTextHandler(&logs, nil)))
			for i, s := range tt.steps {
				clk.Advance(s.advance)
				got := 0
				for j := 0; j < s.n; j++ {
					if l.allow(s.src, s.ua) {
						got++
					}
				}
				if got != s.allowed {
					t.Errorf("step %d: %d of %d allowed, want %d", i, got, s.n, s.allowed)
				}
			}
			if st := l.stats(); st != tt.want {
				t.Errorf("stats %+v, want %+v", st, tt.want)
			}
			if n := strings.Count(logs.String(), "\n"); n != tt.wantLines {
				t.Errorf("%d log lines, want %d:\n%s", n, tt.wantLines, logs.String())
			}
		})
	}
}

// TestScanLimiterBounded: a spoofed-source flood cannot grow the table past scanMaxSources.
func TestScanLimiterBounded(t *testing.T) {
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	l := newScanLimiter(clk, slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)))
	for i := 0; i < scanMaxSources+500; i++ {
		l.allow(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), "")
	}
	if n := len(l.sources); n > scanMaxSources+1 {
		t.Errorf("%d sources kept, want at most %d", n, scanMaxSources+1)
	}
	clk.Advance(2 * scanLogEvery)
	l.allow(netip.MustParseAddr("192.0.2.9"), "")
	if n := len(l.sources); n > 2 {
		t.Errorf("%d sources kept after they went idle, want them forgotten", n)
	}
}

// TestAdmitExemptions: the registrar, requests for a call of ours and in-process requests
// without a source bypass the limiter.
func TestAdmitExemptions(t *testing.T) {
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	cfg := Defaults()
	cfg.Listen = "127.0.0.1:0"
	a := AccountDefaults()
	a.ID, a.Registrar, a.User = "pbx", "sip:192.0.2.50:5060", "door"
	cfg.Accounts = []Account{a}
	u, err := NewUA(cfg, Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	u.calls["ours"] = &Call{}
	for i := 0; i < 100; i++ {
		if !u.admit("192.0.2.50:5060", "x", "") {
			t.Fatal("registrar rate-limited")
		}
		if !u.admit("198.51.100.1:5060", "ours", "friendly-scanner") {
			t.Fatal("in-dialog request dropped")
		}
		if !u.admit("", "x", "friendly-scanner") {
			t.Fatal("sourceless request dropped")
		}
	}
	dropped := 0
	for i := 0; i < 100; i++ {
		if !u.admit("198.51.100.1:5060", "other", "") {
			dropped++
		}
	}
	if dropped != 80 {
		t.Errorf("stranger: %d of 100 dropped, want 80", dropped)
	}
	if st := u.Stats(); st.RateDropped != 80 || st.ScannerDropped != 0 {
		t.Errorf("stats %+v", st)
	}
}
