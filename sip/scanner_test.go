package sip

import (
	"bytes"
	"errors"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/cfgerr"
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
			l := newScanLimiter(ScannerDefaults(), clk, slog.New(slog.NewTextHandler(&logs, nil)))
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
	l := newScanLimiter(ScannerDefaults(), clk, slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)))
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
	u := scanUA(t, clk, func(cfg *Config) {
		a := AccountDefaults()
		a.ID, a.Registrar, a.User = "pbx", "sip:192.0.2.50:5060", "door"
		cfg.Accounts = []Account{a}
	})
	u.calls["ours"] = &Call{}
	if k := admitN(u, "192.0.2.50:5060", "x", "", 100); k != 100 {
		t.Fatalf("registrar rate-limited: %d of 100 admitted", k)
	}
	if k := admitN(u, "198.51.100.1:5060", "ours", "friendly-scanner", 100); k != 100 {
		t.Fatalf("in-dialog requests dropped: %d of 100 admitted", k)
	}
	if k := admitN(u, "", "x", "friendly-scanner", 100); k != 100 {
		t.Fatalf("sourceless requests dropped: %d of 100 admitted", k)
	}
	if k := admitN(u, "198.51.100.1:5060", "other", "", 100); k != 20 {
		t.Errorf("stranger: %d of 100 dropped, want 80", 100-k)
	}
	if st := u.Stats(); st.RateDropped != 80 || st.ScannerDropped != 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestScannerConfig: [sip.scanner] changes the rate and burst, turns the limit off, adds
// User-Agents to the built-in list, and exempts trusted networks in admit.
func TestScannerConfig(t *testing.T) {
	a := netip.MustParseAddr("192.0.2.1")
	send := func(l *scanLimiter, src netip.Addr, ua string, n int) (allowed int) {
		for i := 0; i < n; i++ {
			if l.allow(src, ua) {
				allowed++
			}
		}
		return allowed
	}
	quiet := slog.New(slog.DiscardHandler)
	tests := []struct {
		name    string
		cfg     ScannerConfig
		advance time.Duration
		ua      string
		n, want int // second round, after advance; the first round is n requests at once
		first   int
	}{
		{"defaults", ScannerDefaults(), time.Second, "", 100, 10, 20},
		{"rate 2 burst 5", ScannerConfig{Rate: 2, Burst: 5}, time.Second, "", 100, 2, 5},
		{"rate 0: no limit", ScannerConfig{Rate: 0}, 0, "", 1000, 1000, 1000},
		{"rate 0 still drops scanners", ScannerConfig{Rate: 0}, 0, "sipvicious", 10, 0, 0},
		{"extra user agent", ScannerConfig{Rate: 0, UserAgents: []string{"  EvilDialer "}}, 0, "evildialer/2.0", 10, 0, 0},
		{"extra does not replace built-in", ScannerConfig{Rate: 0, UserAgents: []string{"evildialer"}}, 0, "friendly-scanner", 10, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewFake(time.Unix(1_700_000_000, 0))
			l := newScanLimiter(tt.cfg, clk, quiet)
			if got := send(l, a, tt.ua, tt.n); got != tt.first {
				t.Errorf("first round: %d of %d allowed, want %d", got, tt.n, tt.first)
			}
			clk.Advance(tt.advance)
			if got := send(l, a, tt.ua, tt.n); got != tt.want {
				t.Errorf("after %v: %d of %d allowed, want %d", tt.advance, got, tt.n, tt.want)
			}
		})
	}

	t.Run("trusted", func(t *testing.T) {
		u := scanUA(t, clock.NewFake(time.Unix(1_700_000_000, 0)), func(cfg *Config) {
			cfg.Scanner.Trusted = []string{"10.1.0.0/16", "192.0.2.7", "2001:db8::/32"}
		})
		for _, src := range []string{"10.1.200.3:5060", "192.0.2.7:5062", "[::ffff:10.1.0.1]:5060", "[2001:db8::5]:5060"} {
			if k := admitN(u, src, "x", "friendly-scanner", 100); k != 100 {
				t.Fatalf("%s: trusted source: %d of 100 admitted", src, k)
			}
		}
		if k := admitN(u, "10.2.0.1:5060", "x", "", 100); k != 20 {
			t.Errorf("untrusted neighbour: %d of 100 dropped, want 80", 100-k)
		}
	})
}

func TestScannerConfigValidate(t *testing.T) {
	tests := []struct {
		cfg  ScannerConfig
		keys []string
	}{
		{ScannerDefaults(), nil},
		{ScannerConfig{Rate: 0, Burst: 0}, nil},
		{ScannerConfig{Rate: -1, Burst: 5}, []string{"rate"}},
		{ScannerConfig{Rate: 5, Burst: 0}, []string{"burst"}},
		{ScannerConfig{Rate: 5, Burst: 5, UserAgents: []string{" "}}, []string{"user_agents"}},
		{ScannerConfig{Rate: 5, Burst: 5, Trusted: []string{"10.0.0.0/33", "lan", "192.168.1.1", "fe80::/10"}}, []string{"trusted", "trusted"}},
	}
	for _, tt := range tests {
		err := tt.cfg.Validate()
		var keys []string
		for _, e := range cfgerr.Split(err) {
			var fe *cfgerr.Field
			if !errors.As(e, &fe) {
				t.Fatalf("%+v: %v is not a field error", tt.cfg, e)
			}
			keys = append(keys, fe.Key)
		}
		if !slices.Equal(keys, tt.keys) {
			t.Errorf("%+v: keys %v, want %v (%v)", tt.cfg, keys, tt.keys, err)
		}
	}
}

// TestSetScanner: a reload's [sip.scanner] reaches the running UA: a trusted network passes
// at once, and a smaller burst caps the buckets sources already have.
func TestSetScanner(t *testing.T) {
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	u := scanUA(t, clk, nil)
	admitted := func(src string, n int) int { return admitN(u, src, "x", "", n) }
	if k := admitted("10.0.0.1:5060", 30); k != 20 {
		t.Fatalf("before: %d of 30 admitted, want 20", k)
	}
	admitted("10.0.2.1:5060", 1) // 19 tokens left
	u.SetScanner(ScannerConfig{Rate: 1, Burst: 3, Trusted: []string{"10.0.0.0/24"}})
	if k := admitted("10.0.0.1:5060", 30); k != 30 {
		t.Errorf("trusted after SetScanner: %d of 30 admitted", k)
	}
	if k := admitted("10.0.1.1:5060", 30); k != 3 {
		t.Errorf("new source, burst 3: %d of 30 admitted", k)
	}
	if k := admitted("10.0.2.1:5060", 30); k != 3 {
		t.Errorf("source known before, burst 3: %d of 30 admitted", k)
	}
	clk.Advance(time.Hour)
	if k := admitted("10.0.1.1:5060", 30); k != 3 {
		t.Errorf("refilled source, burst 3: %d of 30 admitted", k)
	}
}

// scanUA is a UA (never run) with the default config on loopback, changed by edit, for
// calling admit directly.
func scanUA(t *testing.T, clk clock.Clock, edit func(*Config)) *UA {
	t.Helper()
	cfg := Defaults()
	cfg.Listen = "127.0.0.1:0"
	if edit != nil {
		edit(&cfg)
	}
	u, err := NewUA(cfg, Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// admitN offers n out-of-dialog requests from src to u.admit and returns how many passed.
func admitN(u *UA, src, callID, userAgent string, n int) (admitted int) {
	for range n {
		if u.admit(src, callID, userAgent) {
			admitted++
		}
	}
	return admitted
}
