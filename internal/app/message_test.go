package app

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/testpeer"
)

// TestSippMessage: a text from sipp lands in the event log (a HTML one is refused 415 with
// Accept), and the door's own text reaches a sipp phone as text/plain.
func TestSippMessage(t *testing.T) {
	if testing.Short() {
		t.Skip("starts sipp")
	}
	testpeer.Require(t, "sipp")
	port := testpeer.FreePort(t)
	a := startUnit(t, "door", port, "")
	s := testpeer.StartSipp(t, testpeer.SippOptions{
		Scenario: filepath.Join("testdata", "sipp", "uac_message.xml"),
		Remote:   "127.0.0.1:" + strconv.Itoa(port),
	})
	if err := s.Wait(t, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 2*time.Second, "the text in the event log", func() bool {
		for _, e := range a.Controller().Recent() {
			if e.Kind == EventMessageReceived {
				if e.String("text") != "Parcel for flat 3 at the door" {
					t.Fatalf("logged %v", e)
				}
				return true
			}
		}
		return false
	})

	phone := testpeer.StartSipp(t, testpeer.SippOptions{Scenario: filepath.Join("testdata", "sipp", "uas_message.xml")})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := (ctlHandler{a}).SendMessage(ctx, phone.URI("resident"), "visitor at the door"); err != nil {
		t.Fatal(err)
	}
	if err := phone.Wait(t, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range a.Controller().Recent() {
		found = found || e.Kind == EventMessageSent
	}
	if !found {
		t.Error("no message-sent entry")
	}
}
