package mqtt

import (
	"errors"
	"strings"
	"testing"
)

func TestParseCommand(t *testing.T) {
	const p = "intercom/front"
	tests := []struct {
		topic, payload string
		want           Command
		bad            bool
	}{
		{topic: p + "/cmd/open", payload: "PRESS", want: Command{Op: Open}},
		{topic: p + "/cmd/open", payload: "", want: Command{Op: Open}},
		{topic: p + "/cmd/lock", payload: "OPEN", want: Command{Op: Open}},
		{topic: p + "/cmd/lock", payload: "unlock", want: Command{Op: Open}},
		{topic: p + "/cmd/lock", payload: "LOCK", want: Command{Op: Lock}},
		{topic: p + "/cmd/lock", payload: "JAM", bad: true},
		{topic: p + "/cmd/call", payload: "sip:101@pbx.lan", want: Command{Op: Call, Arg: "sip:101@pbx.lan"}},
		{topic: p + "/cmd/call", payload: " ", want: Command{Op: Call}},
		{topic: p + "/cmd/call", payload: "sip:1 01@x", bad: true},
		{topic: p + "/cmd/call", payload: "sip:1\n01@x", bad: true},
		{topic: p + "/cmd/answer", want: Command{Op: Answer}},
		{topic: p + "/cmd/hangup", want: Command{Op: Hangup}},
		{topic: p + "/cmd/press", payload: "bell", want: Command{Op: Press, Arg: "bell"}},
		{topic: p + "/cmd/press", payload: "", bad: true},
		{topic: p + "/user/alice/cmd/open", want: Command{Op: Open, User: "alice"}},
		{topic: p + "/user//cmd/open", bad: true},
		{topic: p + "/user/alice/open", bad: true},
		{topic: p + "/cmd/reboot", bad: true},
		{topic: "other/cmd/open", bad: true},
		{topic: p + "/cmd/open", payload: strings.Repeat("x", MaxPayload+1), bad: true},
		{topic: p + "/cmd/press", payload: "\xff\xfe", bad: true},
	}
	for _, tt := range tests {
		got, err := ParseCommand(p, tt.topic, []byte(tt.payload))
		if tt.bad {
			if !errors.Is(err, ErrBadCommand) {
				t.Errorf("%s %q: err %v, want ErrBadCommand", tt.topic, tt.payload, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s %q: %+v, %v; want %+v", tt.topic, tt.payload, got, err, tt.want)
		}
	}
}

// FuzzParseCommand: whatever a broker delivers, the parser returns a command with a known op
// and printable, bounded arguments, or ErrBadCommand; it never panics.
func FuzzParseCommand(f *testing.F) {
	const p = "intercom/front"
	for _, s := range [][2]string{
		{p + "/cmd/open", "PRESS"}, {p + "/cmd/lock", "UNLOCK"}, {p + "/cmd/call", "sip:101@pbx"},
		{p + "/cmd/press", "bell"}, {p + "/user/bob/cmd/hangup", ""}, {p + "/cmd/lock", "\x00"},
		{p + "/user/\u202e/cmd/open", ""}, {p + "/cmd/", ""},
	} {
		f.Add(s[0], []byte(s[1]))
	}
	f.Fuzz(func(t *testing.T, topic string, payload []byte) {
		cmd, err := ParseCommand(p, topic, payload)
		if err != nil {
			if !errors.Is(err, ErrBadCommand) {
				t.Fatalf("error %v does not wrap ErrBadCommand", err)
			}
			return
		}
		if cmd.Op.String() == "unknown" {
			t.Fatalf("accepted op %d", cmd.Op)
		}
		for _, s := range []string{cmd.Arg, cmd.User} {
			if !printable(s) || len(s) > MaxPayload {
				t.Fatalf("accepted %q", s)
			}
		}
	})
}
