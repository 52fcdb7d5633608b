package app

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/testpeer"
)

// TestSippAutoAnswer: a door whose calls ring for a button press answers by itself a listed
// PBX that pages it, in each form PBXs use.
func TestSippAutoAnswer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts sipp")
	}
	testpeer.Require(t, "sipp")
	for _, hdr := range []string{
		"Call-Info: <sip:127.0.0.1>;answer-after=0",                          // Asterisk, FreeSWITCH, Yealink
		"Alert-Info: <http://www.notused.com>;info=alert-autoanswer;delay=0", // FreePBX for Polycom
		"Alert-Info: Ring Answer",                                            // FreePBX for Snom/Cisco
		"Call-Info: answer-after=1",                                          // with a delay
	} {
		t.Run(hdr, func(t *testing.T) {
			port := testpeer.FreePort(t)
			a := startUnit(t, "door", port, `[call]
incoming = "button"
auto_answer = true
allow_from = ["sip:sipp@127.0.0.1"]
`)
			tmpl, err := os.ReadFile(filepath.Join("testdata", "sipp", "uac_autoanswer.xml"))
			if err != nil {
				t.Fatal(err)
			}
			scenario := filepath.Join(t.TempDir(), "uac_autoanswer.xml")
			if err := os.WriteFile(scenario, []byte(strings.Replace(string(tmpl), "<!--AUTO-->", hdr, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			s := testpeer.StartSipp(t, testpeer.SippOptions{Scenario: scenario, Remote: "127.0.0.1:" + strconv.Itoa(port),
				Args: []string{"-mp", strconv.Itoa(testpeer.SippMediaPort(t))}})
			waitUntil(t, 5*time.Second, "answered by itself", func() bool { return a.Controller().Status().State == door.InCall })
			took := time.Since(start)
			if err := s.Wait(t, 10*time.Second); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(hdr, "=1") && took < time.Second {
				t.Errorf("answered after %v, asked for 1 s", took)
			}
			t.Logf("answered %v after sipp started", took.Round(time.Millisecond))
		})
	}
}
