package door_test

import (
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/door/doortest"
)

func TestDoorCode(t *testing.T) {
	tests := []struct {
		name       string
		cfg        func(*door.Config)
		from       string
		digits     string
		wantPulses int
		wantLocked bool
		wantKinds  string
	}{
		{name: "right code", from: "sip:101@pbx", digits: "#1", wantPulses: 1, wantKinds: "door-open"},
		{name: "code after noise", from: "sip:101@pbx", digits: "5#1", wantPulses: 1, wantKinds: "door-code-wrong,door-open"},
		{name: "twice", from: "sip:101@pbx", digits: "#1#1", wantPulses: 2, wantKinds: "door-open,door-open"}, // a match clears the buffer
		{name: "lockout after max attempts", cfg: func(c *door.Config) { c.Door.MaxAttempts = 3 },
			from: "sip:101@pbx", digits: "1234#1", wantLocked: true,
			wantKinds: "door-code-wrong,door-code-wrong,door-code-wrong,door-code-lockout"},
		{name: "caller not in door.allowed", cfg: func(c *door.Config) { c.Door.Allowed = []string{"sip:102@pbx"} },
			from: "sip:101@pbx", digits: "#1", wantKinds: ""},
		{name: "caller in door.allowed", cfg: func(c *door.Config) { c.Door.Allowed = []string{"sip:102@pbx", "<sip:101@pbx>"} },
			from: "sip:101@pbx", digits: "#1", wantPulses: 1, wantKinds: "door-open"},
		{name: "no relay ignores codes", cfg: func(c *door.Config) { c.Door.HasRelay = false },
			from: "sip:101@pbx", digits: "#1", wantKinds: ""},
		{name: "longer code", cfg: func(c *door.Config) { c.Door.DTMFCode = "1234*" },
			from: "sip:101@pbx", digits: "1234*", wantPulses: 1, wantKinds: "door-open"},
		{name: "non-ASCII digit", from: "sip:101@pbx", digits: "é#1", wantPulses: 1, wantKinds: "door-open"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig()
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			r := newRig(t, cfg)
			c := r.answerCall(tt.from)
			r.newKinds()
			for _, d := range tt.digits {
				r.push(door.PhoneEvent{Kind: door.DTMF, Call: c, Digit: d})
			}
			s := r.sync()
			if n := len(r.board.Pulses()); n != tt.wantPulses {
				t.Errorf("%d pulses, want %d", n, tt.wantPulses)
			}
			if s.LockedOut != tt.wantLocked {
				t.Errorf("locked out %v, want %v", s.LockedOut, tt.wantLocked)
			}
			r.wantKinds(tt.wantKinds)
		})
	}
}

func TestLockoutEndsWithTheCall(t *testing.T) {
	cfg := baseConfig()
	cfg.Door.MaxAttempts = 1
	cfg.Door.LockoutFor = 0
	r := newRig(t, cfg)
	c := r.answerCall("sip:101@pbx")
	for _, d := range "00#1" {
		r.push(door.PhoneEvent{Kind: door.DTMF, Call: c, Digit: d})
	}
	if len(r.board.Pulses()) != 0 || !r.sync().LockedOut {
		t.Fatal("right code accepted after lockout")
	}
	r.press("end")
	c = r.answerCall("sip:101@pbx")
	if r.sync().LockedOut {
		t.Error("lockout carried into the next call")
	}
	for _, d := range "#1" {
		r.push(door.PhoneEvent{Kind: door.DTMF, Call: c, Digit: d})
	}
	if len(r.board.Pulses()) != 1 {
		t.Error("code refused in a new call")
	}
}

func TestLockoutOutlivesTheCall(t *testing.T) {
	cfg := baseConfig()
	cfg.Door.MaxAttempts = 2
	cfg.Door.LockoutFor = 5 * time.Minute
	r := newRig(t, cfg)
	digits := func(c *doortest.Call, s string) {
		for _, d := range s {
			r.push(door.PhoneEvent{Kind: door.DTMF, Call: c, Digit: d})
		}
	}
	c := r.answerCall("sip:101@pbx")
	digits(c, "000")
	r.press("end")
	r.newKinds()
	// A new call within lockout_for gets no fresh guesses, even with the right code.
	c = r.answerCall("sip:101@pbx")
	if !r.sync().LockedOut {
		t.Error("status not locked out in the second call")
	}
	digits(c, "#1#1")
	r.press("end")
	r.wantKinds("incoming,answered,door-code-refused,call-ended")
	r.advance(5 * time.Minute)
	r.wantKinds("door-code-unlocked")
	c = r.answerCall("sip:101@pbx")
	if r.sync().LockedOut {
		t.Error("still locked out after lockout_for")
	}
	digits(c, "#1")
	if len(r.board.Pulses()) != 1 {
		t.Errorf("%d pulses after the lockout ended, want 1", len(r.board.Pulses()))
	}
}

// TestTransferNewParty: after a blind transfer the status names the new party, digits the
// old party typed do not count toward the new party's code, and the code is judged against
// door.allowed for the new party.
func TestTransferNewParty(t *testing.T) {
	cfg := baseConfig()
	cfg.Door.Allowed = []string{"sip:101@pbx", "sip:reception@pbx"}
	r := newRig(t, cfg)
	c := r.answerCall("sip:101@pbx")
	r.newKinds()
	digits := func(s string) {
		for _, d := range s {
			r.push(door.PhoneEvent{Kind: door.DTMF, Call: c, Digit: d})
		}
	}
	digits("#") // half of the code "#1"
	c.TransferTo("sip:reception@pbx")
	r.push(door.PhoneEvent{Kind: door.Transferred, Call: c})
	if s := r.sync(); s.Peer != "sip:reception@pbx" || s.State != door.InCall {
		t.Fatalf("after transfer: peer %q state %s, want sip:reception@pbx in-call", s.Peer, s.State)
	}
	digits("1") // would complete "#1" if the buffer outlived the transfer
	if n := len(r.board.Pulses()); n != 0 {
		t.Fatalf("digits from before the transfer opened the door (%d pulses)", n)
	}
	digits("#1")
	if n := len(r.board.Pulses()); n != 1 {
		t.Fatalf("reception's code: %d pulses, want 1", n)
	}
	c.TransferTo("sip:lobby@pbx")
	r.push(door.PhoneEvent{Kind: door.Transferred, Call: c})
	digits("#1")
	if n := len(r.board.Pulses()); n != 1 {
		t.Fatalf("lobby (not in door.allowed) opened the door: %d pulses, want 1", n)
	}
	r.wantKinds("transferred,door-code-wrong,door-open,transferred")
}
