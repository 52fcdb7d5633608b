package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/testpeer"
	"github.com/doorsip/intercom/media"
)

// TestSippEarlyMedia: the door calls a sipp PBX that sends 183 with SDP and an announcement,
// then answers. The visitor hears the announcement while the call rings (received, at tone
// level, the door sending nothing), and on the 200 the same session goes on, now sending:
// with the same SDP and with a new port in the 200.
func TestSippEarlyMedia(t *testing.T) {
	if testing.Short() {
		t.Skip("starts sipp")
	}
	testpeer.Require(t, "sipp")
	for i, port200 := range []string{"[media_port]", "[media_port+2]"} {
		name := map[bool]string{true: "same SDP", false: "new port in the 200"}[i == 0]
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			c := newRTPCapture(t)
			c.audio(75, '5') // 1.5 s of a two-tone announcement
			pcap := filepath.Join(dir, "announcement.pcap")
			c.write(t, pcap)
			tmpl, err := os.ReadFile(filepath.Join("testdata", "sipp", "uas_early_media.xml"))
			if err != nil {
				t.Fatal(err)
			}
			scenario := filepath.Join(dir, "uas_early_media.xml")
			src := strings.NewReplacer("<!--PCAP-->", pcap, "<!--PORT200-->", port200).Replace(string(tmpl))
			if err := os.WriteFile(scenario, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			s := testpeer.StartSipp(t, testpeer.SippOptions{Scenario: scenario,
				Args: []string{"-mp", strconv.Itoa(testpeer.SippMediaPort(t))}})
			a := startUnit(t, "door", testpeer.FreePort(t), "[feedback]\nringback = \"builtin\"\n")
			ctx := context.Background()
			if _, err := a.Controller().Do(ctx, door.Command{Op: "call", Arg: s.URI("resident")}); err != nil {
				t.Fatal(err)
			}
			var early media.Stats
			waitUntil(t, 5*time.Second, "the announcement while ringing", func() bool {
				st, ok := a.CallStats()
				early = st
				return ok && a.Controller().Status().State == door.RingingOut && st.PacketsReceived >= 40
			})
			sess := a.phone.snapshot()[0].sessionForTest()
			if early.PacketsSent != 0 || early.RecvLevel < -30 {
				t.Errorf("early media: sent %d packets (want none before the answer), received at %.1f dBFS", early.PacketsSent, early.RecvLevel)
			}
			a.phone.fb.mu.Lock()
			solo := a.phone.fb.solo
			a.phone.fb.mu.Unlock()
			if solo != nil {
				t.Error("local ringback plays over the PBX's early media")
			}
			waitUntil(t, 6*time.Second, "the call's audio after the 200", func() bool {
				st, ok := a.CallStats()
				return ok && a.Controller().Status().State == door.InCall && st.PacketsSent >= 25 && st.PacketsReceived >= early.PacketsReceived+40
			})
			st, _ := a.CallStats()
			if got := a.phone.snapshot()[0].sessionForTest(); got != sess {
				t.Error("the session was restarted on the 200: not seamless")
			}
			t.Logf("early: received %d packets at %.1f dBFS, sent %d; answered: received %d, sent %d, lost %d, concealed %d",
				early.PacketsReceived, early.RecvLevel, early.PacketsSent, st.PacketsReceived, st.PacketsSent, st.Lost, st.Concealed)
			if _, err := a.Controller().Do(ctx, door.Command{Op: "hangup"}); err != nil {
				t.Fatal(err)
			}
			if err := s.Wait(t, 10*time.Second); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func (c *call) sessionForTest() *media.Session {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sess
}

// TestSippEarlyMediaRingGroup: a parallel ring group where one target plays early media and
// another answers: the visitor hears the first's announcement while both ring, and the
// answered call gets the speaker (its own session) while the other leg is cancelled.
func TestSippEarlyMediaRingGroup(t *testing.T) {
	if testing.Short() {
		t.Skip("starts sipp")
	}
	testpeer.Require(t, "sipp")
	dir := t.TempDir()
	c := newRTPCapture(t)
	c.audio(100, '5')
	pcap := filepath.Join(dir, "announcement.pcap")
	c.write(t, pcap)
	tmpl, err := os.ReadFile(filepath.Join("testdata", "sipp", "uas_early_cancelled.xml"))
	if err != nil {
		t.Fatal(err)
	}
	scenario := filepath.Join(dir, "uas_early_cancelled.xml")
	if err := os.WriteFile(scenario, []byte(strings.ReplaceAll(string(tmpl), "<!--PCAP-->", pcap)), 0o644); err != nil {
		t.Fatal(err)
	}
	early := testpeer.StartSipp(t, testpeer.SippOptions{Scenario: scenario, Args: []string{"-mp", strconv.Itoa(testpeer.SippMediaPort(t))}})
	answer := testpeer.StartSipp(t, testpeer.SippOptions{Scenario: filepath.Join("testdata", "sipp", "uas_answer_late.xml"),
		Args: []string{"-mp", strconv.Itoa(testpeer.SippMediaPort(t))}})
	a := startUnit(t, "door", testpeer.FreePort(t), fmt.Sprintf(`[[button]]
name = "bell"
line = 0
ring_mode = "parallel"
call = [%q, %q]
`, early.URI("pbx"), answer.URI("resident")))
	if err := a.Board().Sim().Press("bell"); err != nil {
		t.Fatal(err)
	}
	var st media.Stats
	waitUntil(t, 5*time.Second, "the announcement while both ring", func() bool {
		var ok bool
		st, ok = a.CallStats()
		return ok && st.PacketsReceived >= 25 && a.Controller().Status().State != door.InCall
	})
	if st.PacketsSent != 0 {
		t.Errorf("sent %d packets before anyone answered", st.PacketsSent)
	}
	waitUntil(t, 5*time.Second, "the answered call's audio", func() bool {
		s, ok := a.CallStats()
		return ok && a.Controller().Status().State == door.InCall && s.PacketsSent >= 25
	})
	if err := early.Wait(t, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Controller().Do(context.Background(), door.Command{Op: door.OpHangup}); err != nil {
		t.Fatal(err)
	}
	if err := answer.Wait(t, 10*time.Second); err != nil {
		t.Fatal(err)
	}
}
