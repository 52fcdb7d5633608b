package sip

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/testpeer"
)

// TestSippMWI: the door subscribes to a voicemail box (sipp as the server), reports each
// message-summary change as MessageWaiting, and unsubscribes when it stops.
func TestSippMWI(t *testing.T) {
	s := testpeer.StartSipp(t, testpeer.SippOptions{Scenario: filepath.Join("testdata", "sipp", "uas_mwi.xml"), Service: "vm"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	u := runUA(t, ctx, func(c *Config) { c.Events.MWI = []string{s.URI("101")} }, nil)
	for _, want := range []MWI{
		{Account: s.URI("101"), Waiting: true, New: 2, Old: 8},
		{Account: s.URI("101"), Waiting: false, New: 0, Old: 10},
	} {
		if got := waitEvent(t, u, MessageWaiting).MWI; got != want {
			t.Errorf("MWI %+v, want %+v", got, want)
		}
	}
	cancel()
	if err := s.Wait(t, 10*time.Second); err != nil {
		t.Error(err)
	}
}

func TestParseMessageSummary(t *testing.T) {
	for _, tc := range []struct {
		body string
		want MWI
		ok   bool
	}{
		{"Messages-Waiting: yes\r\nMessage-Account: sip:alice@vm\r\nVoice-Message: 2/8 (0/2)\r\n", MWI{Waiting: true, New: 2, Old: 8}, true},
		{"messages-waiting:NO\n", MWI{}, true},
		{"Messages-Waiting: yes\r\nFax-Message: 1/0\r\n", MWI{Waiting: true}, true},
		{"Voice-Message: 1/0\r\n", MWI{}, false},
		{"Messages-Waiting: maybe\r\n", MWI{}, false},
		{"Messages-Waiting: yes\r\nVoice-Message: many\r\n", MWI{}, false},
		{"Messages-Waiting: yes\r\nVoice-Message: 99999999/1\r\n", MWI{}, false},
		{"", MWI{}, false},
	} {
		got, err := parseMessageSummary([]byte(tc.body))
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("%q: %+v, %v", tc.body, got, err)
		}
	}
}

// FuzzMessageSummary: a voicemail server's body never panics the parser, and what it
// accepts has sane counts.
func FuzzMessageSummary(f *testing.F) {
	f.Add("Messages-Waiting: yes\r\nMessage-Account: sip:alice@vm\r\nVoice-Message: 2/8 (0/2)\r\n")
	f.Add("Messages-Waiting: no\r\n")
	f.Add("Messages-Waiting: yes\r\nVoice-Message: /\r\n")
	f.Fuzz(func(t *testing.T, body string) {
		m, err := parseMessageSummary([]byte(body))
		if err == nil && (m.New < 0 || m.Old < 0 || m.New > 65535 || m.Old > 65535) {
			t.Fatalf("%+v", m)
		}
	})
}
