//go:build linux

package reliability

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/testpeer"
)

// soak reports whether the long variants run (make soak).
func soak() bool { return os.Getenv("INTERCOM_SOAK") == "1" }

// TestUnknownCallerFlood: sipp sends INVITEs from callers not in call.allow_from (100/s for
// 5 s; 200/s for 10 s under INTERCOM_SOAK=1) while an allowed caller places a real call. The
// door must not ring, answer or pulse the relay for the flood, must answer each INVITE with a
// final refusal (or drop it), and the allowed call must complete. CPU of the whole test
// process (the App runs in it) is logged.
func TestUnknownCallerFlood(t *testing.T) {
	testpeer.Require(t, "sipp")
	rate, secs := 100, 5
	if soak() {
		rate, secs = 200, 10
	}
	r := startRig(t, rigOptions{})
	w := watchRelay(r)

	logs0 := strings.Count(r.logs.String(), "\n")
	st0 := r.a.UA().Stats()
	cpu0, t0 := cpuTicks(t, "self"), time.Now()
	flood := testpeer.StartSipp(t, testpeer.SippOptions{
		Scenario: filepath.Join("testdata", "flood_invite.xml"), Remote: r.sip, Calls: rate * secs,
		Args: []string{"-r", strconv.Itoa(rate), "-rp", "1000", "-l", strconv.Itoa(rate * 4)},
	})
	time.Sleep(time.Duration(secs) * time.Second / 3)
	legit := callDoor(t, r.sip, uacCall{Caller: allowed, Hold: 1500}, 1)
	floodErr := flood.Wait(t, time.Duration(secs)*time.Second+60*time.Second)
	wall := time.Since(t0)
	cpu := float64(cpuTicks(t, "self")-cpu0) / userHZ
	on, samples := w.Stop()
	st := r.a.UA().Stats()
	dropped := int(st.ScannerDropped-st0.ScannerDropped) + int(st.RateDropped-st0.RateDropped)

	waitUntil(t, 5*time.Second, "door idle", func() bool { return r.a.Controller().Status().State == door.Idle })
	evs := readEvents(t, r.events)
	kinds := countKinds(evs)
	fromUnknown := 0
	for _, e := range evs {
		from, _ := e["from"].(string)
		if (e.kind() == "incoming" || e.kind() == "call-started") && !strings.Contains(from, allowed+"@") {
			fromUnknown++
		}
	}
	stats := flood.Output()
	t.Logf("flood: %d door log lines (%s), %d event log lines for %d INVITEs (one per INVITE = not rate-limited)",
		strings.Count(r.logs.String(), "\n")-logs0, topMessages(r.logs.String(), 3), len(evs), rate*secs)
	t.Logf("flood: %d INVITEs at %d/s; wall %.1fs, CPU %.2fs = %.0f%% of one core (test process incl. App)",
		rate*secs, rate, wall.Seconds(), cpu, 100*cpu/wall.Seconds())
	t.Logf("flood: events %v; dropped unanswered %d (scanner User-Agent %d, rate limit %d); relay samples on %d of %d; sipp flood verdict: %v",
		kinds, dropped, st.ScannerDropped-st0.ScannerDropped, st.RateDropped-st0.RateDropped, on, samples, errLine(floodErr))
	if legit != nil {
		t.Errorf("legitimate call during the flood failed: %v", legit)
	} else {
		t.Logf("flood: legitimate call from %s during the flood: completed", allowed)
	}
	if on > 0 {
		t.Errorf("relay energised in %d samples during the flood", on)
	}
	if kinds["door-open"] > 0 {
		t.Errorf("door-open logged during the flood")
	}
	if fromUnknown > 0 {
		t.Errorf("%d unknown callers were taken as incoming calls", fromUnknown)
	}
	// The flood carries a friendly-scanner User-Agent, so the UA drops it unanswered (counted
	// per INVITE transmission, retransmissions included); refused or dropped, none may slip by.
	if kinds["incoming-rejected"]+dropped < rate*secs/2 {
		t.Logf("sipp said:\n%s", tail(stats, 3000))
		t.Errorf("only %d of %d flood INVITEs refused with a final response or dropped", kinds["incoming-rejected"]+dropped, rate*secs)
	}
	if kinds["incoming"] != 1 {
		t.Errorf("incoming events %d, want 1 (the legitimate call)", kinds["incoming"])
	}
}

func errLine(err error) string {
	if err == nil {
		return "all calls followed the scenario"
	}
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// topMessages lists the n most frequent slog msg= values with their counts.
func topMessages(logs string, n int) string {
	count := map[string]int{}
	for _, m := range regexp.MustCompile(`msg="([^"]*)"|msg=(\S+)`).FindAllStringSubmatch(logs, -1) {
		count[m[1]+m[2]]++
	}
	keys := make([]string, 0, len(count))
	for k := range count {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return count[keys[i]] > count[keys[j]] })
	var out []string
	for _, k := range keys[:min(n, len(keys))] {
		out = append(out, fmt.Sprintf("%d x %q", count[k], k))
	}
	return strings.Join(out, ", ")
}

// TestRateLimitedFlood: unknown callers with an ordinary User-Agent flood the door from
// 127.0.0.2 at 100/s for 5 s while the allowed caller calls from 127.0.0.1. The per-source
// limit (10/s, burst 20) answers the first INVITEs with 403 and drops the rest unanswered;
// the log gets one line for the source, and the allowed call from the other address is
// untouched.
func TestRateLimitedFlood(t *testing.T) {
	testpeer.Require(t, "sipp")
	const rate, secs = 100, 5
	r := startRig(t, rigOptions{})
	b, err := os.ReadFile(filepath.Join("testdata", "flood_invite.xml"))
	if err != nil {
		t.Fatal(err)
	}
	scenario := filepath.Join(t.TempDir(), "flood_plain.xml")
	if err := os.WriteFile(scenario, []byte(strings.ReplaceAll(string(b), "User-Agent: friendly-scanner", "User-Agent: softphone/1.0")), 0o644); err != nil {
		t.Fatal(err)
	}
	logs0 := strings.Count(r.logs.String(), "\n")
	st0 := r.a.UA().Stats()
	t0 := time.Now()
	flood := testpeer.StartSipp(t, testpeer.SippOptions{
		Scenario: scenario, Remote: r.sip, Calls: rate * secs,
		Args: []string{"-i", "127.0.0.2", "-r", strconv.Itoa(rate), "-rp", "1000", "-l", strconv.Itoa(rate * 4)},
	})
	time.Sleep(time.Duration(secs) * time.Second / 3)
	legit := callDoor(t, r.sip, uacCall{Caller: allowed, Hold: 1500}, 1)
	_ = flood.Wait(t, time.Duration(secs)*time.Second+60*time.Second)
	wall := time.Since(t0)
	st := r.a.UA().Stats()
	waitUntil(t, 5*time.Second, "door idle", func() bool { return r.a.Controller().Status().State == door.Idle })
	kinds := countKinds(readEvents(t, r.events))
	t.Logf("rate-limited flood: %d INVITEs at %d/s from 127.0.0.2 (sipp ran %.1f s): %d refused (incoming-rejected), %d transmissions dropped by the rate limit; %d door log lines (%s)",
		rate*secs, rate, wall.Seconds(), kinds["incoming-rejected"], st.RateDropped-st0.RateDropped,
		strings.Count(r.logs.String(), "\n")-logs0, topMessages(r.logs.String(), 4))
	if legit != nil {
		t.Errorf("legitimate call from 127.0.0.1 during the flood failed: %v", legit)
	}
	if st.RateDropped == st0.RateDropped {
		t.Error("nothing dropped by the rate limit")
	}
	// Burst 20 + 10/s for as long as sipp sent (it retransmits unanswered INVITEs, and those
	// take tokens too), plus one second of slack.
	if max := 20 + int(10*(wall.Seconds()+1)); kinds["incoming-rejected"] > max {
		t.Errorf("%d INVITEs refused, want at most %d (rate limit)", kinds["incoming-rejected"], max)
	}
	if kinds["incoming"] != 1 {
		t.Errorf("incoming events %d, want 1 (the legitimate call)", kinds["incoming"])
	}
}
