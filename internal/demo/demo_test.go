package demo

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// TestDemoScenario runs the README's first command in-process and checks its timeline:
// the bell rings the indoor unit, each side hears the other's tone, DTMF from the indoor
// unit pulses the door relay for open_for, and both units end idle.
func TestDemoScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a real two-unit call for a few seconds")
	}
	dir := t.TempDir()
	if d := os.Getenv("INTERCOM_DEMO_KEEP"); d != "" {
		dir = d
	}
	var out bytes.Buffer
	rep, err := Run(context.Background(), &out, Options{Dir: dir, Talk: time.Second})
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"presses the bell", "ringing: call from", "in call with", "relay energised", "relay released", "both units idle"}
	got := out.String()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("timeline lacks %q", w)
		}
	}
	kinds := map[string]bool{}
	for _, e := range rep.Events {
		kinds[string(e.Kind)] = true
	}
	t.Logf("event kinds: %v", kinds)
	if len(rep.Events) == 0 {
		t.Error("no events logged")
	}
}

func TestRTPBaseFor(t *testing.T) {
	for _, ports := range [][2]int{{32864, 40000}, {20100, 20300}, {21000, 21100}, {60999, 1024}, {20000, 31999}} {
		base := rtpBaseFor(ports[0], ports[1])
		if base < 20000 || base+200 > 32768 {
			t.Errorf("%v: base %d outside 20000-32767", ports, base)
		}
		for _, p := range ports {
			if p >= base && p < base+200 {
				t.Errorf("%v: base %d holds SIP port %d", ports, base, p)
			}
		}
	}
}
