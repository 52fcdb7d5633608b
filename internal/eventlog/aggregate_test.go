package eventlog

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
)

// summary lists entries as "kind source repeated" for the comparisons below.
func summary(es []Entry) []string {
	var out []string
	for _, e := range es {
		s := string(e.Kind) + " " + e.String("source")
		if r := e.String("repeated"); r != "" {
			s += " x" + r
		}
		out = append(out, s)
	}
	return out
}

func TestAddFromAggregates(t *testing.T) {
	clk := clock.NewFake(t0)
	l := New(Config{}, Options{Clock: clk})
	defer l.Close()
	// A flood at the rate limit from A (10/s) and three from B, for two minutes.
	for i := range 1200 {
		l.AddFrom("incoming-rejected", "sip:a@x", "from", "sip:a@x")
		if i < 3 {
			l.AddFrom("incoming-rejected", "sip:b@x", "from", "sip:b@x")
		}
		clk.Advance(100 * time.Millisecond)
	}
	l.Add("door-open", "by", "sip:101@pbx") // not aggregated; closes the second window
	// Quiet for two minutes: A's window ends empty and A is forgotten.
	clk.Advance(2 * time.Minute)
	l.Add("registration")
	l.AddFrom("incoming-rejected", "sip:a@x", "from", "sip:a@x")
	got := strings.Join(summary(l.Recent()), ", ")
	want := "incoming-rejected , incoming-rejected , " + // the first from A and from B, as is
		"incoming-rejected sip:a@x x599, incoming-rejected sip:b@x x2, " + // minute one
		"incoming-rejected sip:a@x x600, door-open , registration , " + // minute two; B quiet
		"incoming-rejected " // A again after a quiet minute: as is
	if got != want {
		t.Errorf("entries:\n%s\nwant:\n%s", got, want)
	}
}

// TestAddFromBounded: a flood that forges a new From per request is folded under "*" past
// maxAggregated sources, so a minute costs at most maxAggregated+2 lines.
func TestAddFromBounded(t *testing.T) {
	clk := clock.NewFake(t0)
	l := New(Config{}, Options{Clock: clk})
	for i := range 600 {
		l.AddFrom("incoming-rejected", fmt.Sprintf("sip:%d@x", i))
		clk.Advance(100 * time.Millisecond)
	}
	l.Add("tick")
	es := l.Recent()
	if len(es) > recentCap {
		t.Fatalf("%d entries", len(es))
	}
	l.Close()
	all := summary(l.recent)
	first, star := 0, ""
	for _, s := range all {
		if s == "incoming-rejected " {
			first++
		}
		if strings.HasPrefix(s, "incoming-rejected * x") {
			star = s
		}
	}
	// maxAggregated sources and the first entry counted under "*" are written as they are.
	if first != maxAggregated+1 || star != fmt.Sprintf("incoming-rejected * x%d", 600-maxAggregated-1) {
		t.Errorf("%d first entries, star %q", first, star)
	}
}

// TestSecurityFileKeepsDoorOpen: an hour of refused INVITEs rotates the main file many times
// over; the door-open before it is still in the security file, which noise never enters.
func TestSecurityFileKeepsDoorOpen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "events.jsonl")
	clk := clock.NewFake(t0)
	l := New(Config{Path: path, MaxSize: MinSize, Security: []Kind{"door-open"}}, Options{Clock: clk})
	l.Add("door-open", "by", "sip:101@pbx", "for", "3s")
	// A disguised flood: a new From per INVITE, 10 a second, for an hour.
	for i := range 36000 {
		l.AddFrom("incoming-rejected", fmt.Sprintf("sip:%d@evil", i), "from", fmt.Sprintf("sip:%d@evil", i), "code", 403)
		clk.Advance(100 * time.Millisecond)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + ".1"} {
		for _, e := range readLines(t, p) {
			if e.Kind == "door-open" {
				t.Fatalf("door-open still in %s: the flood was too small to show anything", p)
			}
		}
	}
	sec := readLines(t, SecurityPath(path))
	if len(sec) != 1 || sec[0].Kind != "door-open" || sec[0].String("by") != "sip:101@pbx" {
		t.Errorf("security file: %v", summary(sec))
	}
	if SecurityPath(path) != filepath.Join(dir, "events-security.jsonl") {
		t.Errorf("SecurityPath %s", SecurityPath(path))
	}
}
