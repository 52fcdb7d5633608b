package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/testpeer"
)

// dtmfVariant is one way a PBX relays the caller's door code "123".
type dtmfVariant struct {
	name string
	// events shapes RFC 4733 packets (nil: none); inband sends the tones in the audio only.
	events *eventStyle
	inband bool
	// info is the INFO Content-Type ("" none) and body format (a %c for the digit).
	info, infoBody string
}

var asteriskEvents = eventStyle{marker: true, durations: []uint16{160, 320, 480, 640, 800, 960, 1120, 1280},
	endCopies: 3, sameSeq: true}

// dtmfVariants: the forms other door firmwares' users found their PBX to use.
var dtmfVariants = []dtmfVariant{
	{name: "Asterisk-like RFC 4733 (marker, three end packets with one sequence number)", events: &asteriskEvents},
	{name: "FRITZ!Box-like RFC 4733 (no marker, odd durations, end packets with new sequence numbers)",
		events: &eventStyle{durations: []uint16{0, 130, 410, 700, 1013}, endCopies: 3}},
	{name: "restamping sender (a new timestamp on every packet of one press)",
		events: &eventStyle{marker: true, durations: []uint16{160, 320, 480, 640, 800}, endCopies: 3, sameSeq: true, restamp: true}},
	{name: "only end packets", events: &eventStyle{durations: []uint16{1000}, endCopies: 3, sameSeq: true}},
	{name: "in-band tones with telephone-event negotiated", inband: true},
	{name: "INFO application/dtmf-relay (Asterisk)", info: "application/dtmf-relay", infoBody: "Signal=%c\r\nDuration=250\r\n"},
	{name: "INFO application/dtmf", info: "application/dtmf", infoBody: "%c"},
	{name: "INFO and RFC 4733 for every digit", events: &asteriskEvents, info: "application/dtmf-relay", infoBody: "Signal= %c\r\nDuration= 160\r\n"},
	{name: "INFO and in-band tones for every digit", inband: true, info: "application/dtmf", infoBody: "%c\r\n"},
}

// TestSippDTMFOpensDoor: a sipp caller keys the door code "123" in each form; the door opens
// exactly once. A digit counted twice ("112233") would not open it, so one opening also shows
// each key press was taken once whichever ways it came.
func TestSippDTMFOpensDoor(t *testing.T) {
	if testing.Short() {
		t.Skip("starts sipp")
	}
	testpeer.Require(t, "sipp")
	for _, v := range dtmfVariants {
		t.Run(v.name, func(t *testing.T) {
			port := testpeer.FreePort(t)
			a := startUnit(t, "door", port, `[call]
incoming = "auto"
allow_from = ["sip:sipp@127.0.0.1"]
[door]
relay_line = 1
dtmf_code = "123"
`)
			dir := t.TempDir()
			scenario := dtmfScenario(t, dir, v)
			s := testpeer.StartSipp(t, testpeer.SippOptions{
				Scenario: scenario,
				Remote:   "127.0.0.1:" + strconv.Itoa(port),
				Args:     []string{"-mp", strconv.Itoa(testpeer.SippMediaPort(t))},
			})
			if err := s.Wait(t, 20*time.Second); err != nil {
				t.Fatal(err)
			}
			waitUntil(t, 5*time.Second, "idle after sipp's BYE", func() bool { return a.Controller().Status().State == door.Idle })
			var kinds []string
			opened := 0
			for _, e := range a.Controller().Recent() {
				kinds = append(kinds, string(e.Kind))
				if e.Kind == "door-open" {
					opened++
				}
			}
			if opened != 1 {
				t.Errorf("door opened %d times, want 1; events: %s", opened, strings.Join(kinds, ", "))
			}
		})
	}
}

// dtmfScenario writes the variant's RTP capture and sipp scenario into dir.
func dtmfScenario(t *testing.T, dir string, v dtmfVariant) string {
	var media string
	if v.events != nil || v.inband {
		c := newRTPCapture(t)
		c.audio(10, 0)
		for _, d := range "123" {
			if v.events != nil {
				c.event(d, *v.events)
			} else {
				c.audio(8, d)
				c.audio(5, 0)
			}
		}
		c.audio(10, 0)
		pcap := filepath.Join(dir, "dtmf.pcap")
		c.write(t, pcap)
		media = fmt.Sprintf(`  <nop><action><exec play_pcap_audio=%q/></action></nop>
`, pcap)
	}
	var info strings.Builder
	cseq := 2
	if v.info != "" {
		for _, d := range "123" {
			// Roughly in step with the events: 200 ms of silence, then a digit every 260 ms.
			fmt.Fprintf(&info, `  <pause milliseconds="%d"/>
  <send><![CDATA[
INFO [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
[last_To:]
Call-ID: [call_id]
CSeq: %d INFO
Contact: <sip:sipp@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: %s
Content-Length: [len]

%s]]></send>
  <recv response="200"/>
`, map[bool]int{true: 200, false: 260}[cseq == 2], cseq, v.info, fmt.Sprintf(v.infoBody, d))
			cseq++
		}
	}
	tmpl, err := os.ReadFile(filepath.Join("testdata", "sipp", "uac_dtmf.xml"))
	if err != nil {
		t.Fatal(err)
	}
	src := strings.NewReplacer("<!--MEDIA-->\n", media, "<!--INFO-->\n", info.String(),
		"CSeq: BYE", fmt.Sprintf("CSeq: %d BYE", cseq)).Replace(string(tmpl))
	path := filepath.Join(dir, "uac_dtmf.xml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
