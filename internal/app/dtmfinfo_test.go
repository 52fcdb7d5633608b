package app

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/testpeer"
)

// TestSippINFODigitGap: the indoor unit's open button sends the door code "#1" by SIP INFO
// to a phone without telephone-event; each INFO announces dtmf_duration, and the second
// leaves at least dtmf_duration + dtmf_gap after the first (as sipp's message trace shows).
func TestSippINFODigitGap(t *testing.T) {
	if testing.Short() {
		t.Skip("starts sipp")
	}
	testpeer.Require(t, "sipp")
	dir := t.TempDir()
	msgs := filepath.Join(dir, "messages.log")
	s := testpeer.StartSipp(t, testpeer.SippOptions{
		Scenario: filepath.Join("testdata", "sipp", "uas_info_dtmf.xml"),
		Args:     []string{"-trace_msg", "-message_file", msgs},
	})
	a := startUnit(t, "indoor", testpeer.FreePort(t), `[door]
dtmf_code = "#1"
`)
	a.cfg.Media.DTMFDuration, a.cfg.Media.DTMFGap = 250*time.Millisecond, 500*time.Millisecond
	a.phone.setMedia(a.cfg.Media, a.cfg.Audio)
	ctx := context.Background()
	if _, err := a.Controller().Do(ctx, door.Command{Op: "call", Arg: s.URI("phone")}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 10*time.Second, "in call", func() bool { return a.Controller().Status().State == door.InCall })
	if _, err := a.Controller().Do(ctx, door.Command{Op: "open"}); err != nil {
		t.Fatal(err)
	}
	// The controller's command returns at once; the digits go out on the call's own time.
	waitUntil(t, 10*time.Second, "two INFOs at sipp", func() bool {
		b, _ := os.ReadFile(msgs)
		return strings.Count(string(b), "INFO sip:") >= 2
	})
	if _, err := a.Controller().Do(ctx, door.Command{Op: "hangup"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Wait(t, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(msgs)
	if err != nil {
		t.Fatal(err)
	}
	bodies := regexp.MustCompile(`Signal=(.)\r?\nDuration=(\d+)`).FindAllStringSubmatch(string(b), -1)
	if len(bodies) != 2 || bodies[0][1] != "#" || bodies[1][1] != "1" || bodies[0][2] != "250" {
		t.Fatalf("INFO bodies %q", bodies)
	}
	stamps := infoStamps(t, string(b))
	if len(stamps) != 2 {
		t.Fatalf("INFO receive times %v", stamps)
	}
	if gap := stamps[1].Sub(stamps[0]); gap < 750*time.Millisecond {
		t.Errorf("second INFO %s after the first, want at least 750ms", gap)
	}
	t.Logf("INFO digits %s apart", stamps[1].Sub(stamps[0]))
}

// infoStamps finds when sipp received each INFO in its -trace_msg log: every message follows
// a line of dashes and its local time, then "UDP message received [N] bytes :".
func infoStamps(t *testing.T, log string) []time.Time {
	re := regexp.MustCompile(`-{10,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\r?\nUDP message received \[\d+\] bytes :\r?\n\r?\nINFO `)
	var out []time.Time
	for _, m := range re.FindAllStringSubmatch(log, -1) {
		at, err := time.ParseInLocation("2006-01-02 15:04:05.000000", m[1], time.Local)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, at)
	}
	return out
}
