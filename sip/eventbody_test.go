package sip

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata/events")

// TestEventBodies compares the dialog-info and PIDF documents for each door state with
// golden files (go test -run TestEventBodies -update rewrites them).
func TestEventBodies(t *testing.T) {
	const entity = "sip:door@192.0.2.2"
	for _, tc := range []struct {
		name  string
		state DoorState
	}{
		{"idle", DoorState{}},
		{"dialing", DoorState{Activity: DoorDialing, CallID: "c1", Remote: "sip:101@pbx"}},
		{"ringing-in", DoorState{Activity: DoorRingingIn, CallID: "c2", Remote: "sip:visitor@pbx"}},
		{"in-call-door-open", DoorState{Activity: DoorInCall, CallID: "c2", Remote: "\"A&B\" <sip:a@b>", Incoming: true, DoorOpen: true}},
		{"ended-alarm", DoorState{Activity: DoorIdle, CallID: "c2", Alarm: "door-held-open"}},
		{"offline", DoorState{Activity: DoorOffline}},
	} {
		for _, kind := range []string{"dialog", "pidf"} {
			var got []byte
			if kind == "dialog" {
				got = buildDialogInfo(tc.state, entity, 4, true)
				if _, err := parseDialogInfo(got); err != nil {
					t.Errorf("%s: %v", tc.name, err)
				}
			} else {
				got = buildPIDF(tc.state, entity)
				if _, err := parsePIDF(got); err != nil {
					t.Errorf("%s: %v", tc.name, err)
				}
			}
			path := filepath.Join("testdata", "events", tc.name+"."+kind+".xml")
			if *updateGolden {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s:\n%s", kind, path, got)
			}
		}
	}
}

// xmlClean reports whether s survives XML unchanged (valid UTF-8, only characters XML 1.0
// allows; escapeXML replaces the rest).
func xmlClean(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		ok := r == 0x09 || r == 0x0A || r == 0x0D ||
			(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
		if !ok || r == '\r' {
			return false
		}
	}
	return true
}

// FuzzEventBodies: whatever a caller's URI, the call ID or the entity hold, the documents we
// send are well-formed XML that reads back the same values.
func FuzzEventBodies(f *testing.F) {
	f.Add(int(DoorInCall), "c1", "sip:101@pbx", "sip:door@192.0.2.2", "door-forced", true)
	f.Add(int(DoorRingingIn), "<&>\"'", "\"Eve\" <sip:eve@x>;tag=1", "sip:d@h", "", false)
	f.Add(int(DoorIdle), "", "", "", "", false)
	f.Add(int(DoorOffline), "\x00\xff", "]]>", "sip:\x01", "tamper", true)
	f.Fuzz(func(t *testing.T, act int, callID, remote, entity, alarm string, open bool) {
		s := DoorState{Activity: DoorActivity(act%6 + 6*boolInt(act < 0)), CallID: callID, Remote: remote, DoorOpen: open, Alarm: alarm}
		if s.Activity < 0 || s.Activity > DoorOffline {
			s.Activity = DoorIdle
		}
		d, err := parseDialogInfo(buildDialogInfo(s, entity, 1, true))
		if err != nil {
			t.Fatalf("dialog-info does not parse: %v", err)
		}
		p, err := parsePIDF(buildPIDF(s, entity))
		if err != nil || len(p.Tuples) != 1 {
			t.Fatalf("PIDF does not parse: %v", err)
		}
		// Each value on its own: two invalid halves can make a valid sequence together.
		if !xmlClean(callID) || !xmlClean(remote) || !xmlClean(entity) || !xmlClean(alarm) {
			return
		}
		if d.Entity != entity || p.Entity != entity || p.Tuples[0].Note != s.note() {
			t.Fatalf("read back entity %q/%q note %q", d.Entity, p.Entity, p.Tuples[0].Note)
		}
		if st := s.dialogState(); st != "" {
			if len(d.Dialogs) != 1 || d.Dialogs[0].State != st || (remote != "" && d.Dialogs[0].Remote != remote) ||
				(callID != "" && d.Dialogs[0].ID != callID) {
				t.Fatalf("dialog %+v for %+v", d.Dialogs, s)
			}
		} else if len(d.Dialogs) != 0 {
			t.Fatalf("dialogs %+v when idle", d.Dialogs)
		}
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// FuzzEventDocuments: dialog-info and PIDF from the network (a presence server's NOTIFY)
// never panic the parsers, and what parses survives our own round trip.
func FuzzEventDocuments(f *testing.F) {
	for _, name := range []string{"ringing-in.dialog.xml", "in-call-door-open.pidf.xml", "idle.dialog.xml"} {
		b, err := os.ReadFile(filepath.Join("testdata", "events", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="x"/>`))
	f.Add([]byte(`<presence xmlns="urn:ietf:params:xml:ns:pidf"><tuple><status><basic>open`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if d, err := parseDialogInfo(body); err == nil && !strings.ContainsRune(d.Entity, utf8.RuneError) {
			_ = buildDialogInfo(DoorState{}, d.Entity, d.Version, false)
		}
		_, _ = parsePIDF(body)
	})
}
