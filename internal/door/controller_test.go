package door_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/door/doortest"
)

func TestButtonActions(t *testing.T) {
	tests := []struct {
		name      string
		cfg       func(*door.Config)
		setup     func(r *rig) *doortest.Call // brings the rig to the starting state
		button    string
		wantState door.State
		wantKinds string
		check     func(t *testing.T, r *rig, c *doortest.Call)
	}{
		{name: "call from idle", button: "bell", wantState: door.Dialing,
			wantKinds: "ring-group,calling",
			check: func(t *testing.T, r *rig, _ *doortest.Call) {
				if d := r.phone.Dialed(); len(d) != 1 || d[0].Remote() != "sip:101@pbx" {
					t.Errorf("dialed %v", d)
				}
			}},
		{name: "call while in call is ignored", setup: func(r *rig) *doortest.Call { return r.answerCall("sip:101@pbx") },
			button: "bell", wantState: door.InCall, wantKinds: ""},
		{name: "answer ringing", setup: func(r *rig) *doortest.Call { return r.incoming("sip:101@pbx") },
			button: "ans", wantState: door.InCall, wantKinds: "answered",
			check: func(t *testing.T, r *rig, c *doortest.Call) {
				if !c.Answered() {
					t.Error("not answered")
				}
			}},
		{name: "answer with nothing ringing", button: "ans", wantState: door.Idle, wantKinds: ""},
		{name: "hangup in call", setup: func(r *rig) *doortest.Call { return r.answerCall("sip:101@pbx") },
			button: "end", wantState: door.Idle, wantKinds: "call-ended",
			check: func(t *testing.T, r *rig, c *doortest.Call) {
				if c.HungUp() != 1 {
					t.Errorf("Hangup called %d times", c.HungUp())
				}
			}},
		{name: "hangup while ringing declines", setup: func(r *rig) *doortest.Call { return r.incoming("sip:101@pbx") },
			button: "end", wantState: door.Idle, wantKinds: "incoming-rejected",
			check: func(t *testing.T, r *rig, c *doortest.Call) {
				if c.Rejected() != 603 {
					t.Errorf("rejected with %d, want 603", c.Rejected())
				}
			}},
		{name: "hangup while dialing cancels", setup: func(r *rig) *doortest.Call { r.press("bell"); return r.phone.Last("sip:101@pbx") },
			button: "end", wantState: door.Idle, wantKinds: "cancelled,no-answer",
			check: func(t *testing.T, r *rig, c *doortest.Call) {
				if c.HungUp() != 1 {
					t.Errorf("leg cancelled %d times", c.HungUp())
				}
			}},
		{name: "toggle idle calls", button: "tog", wantState: door.Dialing, wantKinds: "ring-group,calling"},
		{name: "toggle ringing answers", setup: func(r *rig) *doortest.Call { return r.incoming("sip:101@pbx") },
			button: "tog", wantState: door.InCall, wantKinds: "answered"},
		{name: "toggle in call hangs up", setup: func(r *rig) *doortest.Call { return r.answerCall("sip:101@pbx") },
			button: "tog", wantState: door.Idle, wantKinds: "call-ended"},
		{name: "toggle dialing cancels", setup: func(r *rig) *doortest.Call { r.press("tog"); return nil },
			button: "tog", wantState: door.Idle, wantKinds: "cancelled,no-answer"},
		{name: "open with relay pulses", button: "open", wantState: door.Idle, wantKinds: "door-open",
			check: func(t *testing.T, r *rig, _ *doortest.Call) {
				if p := r.board.Pulses(); len(p) != 1 || p[0] != (doortest.Pulse{Relay: "door", For: 3 * time.Second}) {
					t.Errorf("pulses %v", p)
				}
			}},
		{name: "open without relay sends the code", cfg: func(c *door.Config) { c.Door.HasRelay = false },
			setup:  func(r *rig) *doortest.Call { return r.answerCall("sip:door@pbx") },
			button: "open", wantState: door.InCall, wantKinds: "door-code-sent",
			check: func(t *testing.T, r *rig, c *doortest.Call) {
				if c.DTMF() != "#1" || len(r.board.Pulses()) != 0 {
					t.Errorf("sent %q, pulses %v", c.DTMF(), r.board.Pulses())
				}
			}},
		{name: "open without relay or call does nothing", cfg: func(c *door.Config) { c.Door.HasRelay = false },
			button: "open", wantState: door.Idle, wantKinds: ""},
		{name: "unknown button", button: "nope", wantState: door.Idle, wantKinds: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig()
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			r := newRig(t, cfg)
			var c *doortest.Call
			if tt.setup != nil {
				c = tt.setup(r)
			}
			r.newKinds()
			r.press(tt.button)
			r.wantState(tt.wantState)
			r.wantKinds(tt.wantKinds)
			if tt.check != nil {
				tt.check(t, r, c)
			}
		})
	}
}

func TestRingGroupSerial(t *testing.T) {
	tests := []struct {
		name      string
		steps     func(r *rig)
		wantState door.State
		wantPeer  string
		wantKinds string
	}{
		{name: "first answers", steps: func(r *rig) {
			r.push(door.PhoneEvent{Kind: door.Ringing, Call: r.phone.Last("sip:101@pbx")})
			r.wantState(door.RingingOut)
			r.push(door.PhoneEvent{Kind: door.Answered, Call: r.phone.Last("sip:101@pbx")})
		}, wantState: door.InCall, wantPeer: "sip:101@pbx", wantKinds: "ring-group,calling,ringing,answered"},
		{name: "timeout moves to the next", steps: func(r *rig) {
			r.advance(10 * time.Second)
			if r.phone.Last("sip:101@pbx").HungUp() != 1 {
				r.t.Error("first target not cancelled on timeout")
			}
			r.push(door.PhoneEvent{Kind: door.Answered, Call: r.phone.Last("sip:102@pbx")})
		}, wantState: door.InCall, wantPeer: "sip:102@pbx", wantKinds: "ring-group,calling,cancelled,calling,answered"},
		{name: "busy moves to the next at once", steps: func(r *rig) {
			r.push(door.PhoneEvent{Kind: door.Ended, Call: r.phone.Last("sip:101@pbx"), Code: 486, Reason: "Busy Here"})
			r.advance(9 * time.Second)
			r.wantState(door.Dialing) // the second target has its own full ring_timeout
		}, wantState: door.Dialing, wantKinds: "ring-group,calling,call-failed,calling"},
		{name: "all decline", steps: func(r *rig) {
			r.push(door.PhoneEvent{Kind: door.Ended, Call: r.phone.Last("sip:101@pbx"), Code: 603})
			r.push(door.PhoneEvent{Kind: door.Ended, Call: r.phone.Last("sip:102@pbx"), Code: 486})
		}, wantState: door.Idle, wantKinds: "ring-group,calling,call-failed,calling,call-failed,no-answer"},
		{name: "all time out", steps: func(r *rig) {
			r.advance(10 * time.Second)
			r.advance(10 * time.Second)
		}, wantState: door.Idle, wantKinds: "ring-group,calling,cancelled,calling,cancelled,no-answer"},
		{name: "stale answer of a timed-out leg is ignored", steps: func(r *rig) {
			r.advance(10 * time.Second)
			r.push(door.PhoneEvent{Kind: door.Answered, Call: r.phone.Last("sip:101@pbx")})
		}, wantState: door.Dialing, wantKinds: "ring-group,calling,cancelled,calling"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, baseConfig())
			r.newKinds()
			r.press("bell")
			tt.steps(r)
			s := r.wantState(tt.wantState)
			if s.Peer != tt.wantPeer {
				t.Errorf("peer %q, want %q", s.Peer, tt.wantPeer)
			}
			r.wantKinds(tt.wantKinds)
		})
	}
}

func TestRingGroupSerialDialFailure(t *testing.T) {
	r := newRig(t, baseConfig())
	r.phone.FailDial("sip:101@pbx", errDial)
	r.newKinds()
	r.press("bell")
	s := r.wantState(door.Dialing)
	if len(s.Ringing) != 1 || s.Ringing[0] != "sip:102@pbx" {
		t.Errorf("ringing %v", s.Ringing)
	}
	r.wantKinds("ring-group,call-failed,calling")
	r.phone.FailDial("sip:102@pbx", errDial)
	r.advance(10 * time.Second)
	r.press("bell")
	r.wantState(door.Idle)
}

func TestRingGroupParallel(t *testing.T) {
	tests := []struct {
		name      string
		steps     func(r *rig)
		wantState door.State
		wantPeer  string
		wantKinds string
	}{
		{name: "first answer wins", steps: func(r *rig) {
			r.push(door.PhoneEvent{Kind: door.Ringing, Call: r.phone.Last("sip:101@pbx")})
			r.push(door.PhoneEvent{Kind: door.Answered, Call: r.phone.Last("sip:102@pbx")})
			if r.phone.Last("sip:101@pbx").HungUp() != 1 || r.phone.Last("sip:102@pbx").HungUp() != 0 {
				r.t.Error("the loser was not cancelled, or the winner was")
			}
			// The loser's late answer (200 crossing the CANCEL) does not steal the call.
			r.push(door.PhoneEvent{Kind: door.Answered, Call: r.phone.Last("sip:101@pbx")})
		}, wantState: door.InCall, wantPeer: "sip:102@pbx", wantKinds: "ring-group,calling,calling,ringing,cancelled,answered"},
		{name: "timeout cancels all", steps: func(r *rig) {
			r.advance(10 * time.Second)
		}, wantState: door.Idle, wantKinds: "ring-group,calling,calling,cancelled,cancelled,no-answer"},
		{name: "one busy keeps the other ringing", steps: func(r *rig) {
			r.push(door.PhoneEvent{Kind: door.Ended, Call: r.phone.Last("sip:101@pbx"), Code: 486})
		}, wantState: door.Dialing, wantKinds: "ring-group,calling,calling,call-failed"},
		{name: "all busy", steps: func(r *rig) {
			r.push(door.PhoneEvent{Kind: door.Ended, Call: r.phone.Last("sip:101@pbx"), Code: 486})
			r.push(door.PhoneEvent{Kind: door.Ended, Call: r.phone.Last("sip:102@pbx"), Code: 486})
		}, wantState: door.Idle, wantKinds: "ring-group,calling,calling,call-failed,call-failed,no-answer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig()
			cfg.Buttons[0].RingMode = "parallel"
			r := newRig(t, cfg)
			r.newKinds()
			r.press("bell")
			if n := len(r.phone.Dialed()); n != 2 {
				t.Fatalf("parallel dialed %d targets", n)
			}
			tt.steps(r)
			s := r.wantState(tt.wantState)
			if s.Peer != tt.wantPeer {
				t.Errorf("peer %q, want %q", s.Peer, tt.wantPeer)
			}
			r.wantKinds(tt.wantKinds)
		})
	}
}

func TestIncoming(t *testing.T) {
	tests := []struct {
		name       string
		cfg        func(*door.Config)
		from       string
		busy       bool
		wantState  door.State
		wantReject int
		wantRing   bool
		wantKinds  string
	}{
		{name: "button policy rings", from: "sip:101@pbx", wantState: door.RingingIn, wantRing: true, wantKinds: "incoming"},
		{name: "auto answers", cfg: func(c *door.Config) { c.Call.Incoming = "auto" }, from: "sip:101@pbx",
			wantState: door.InCall, wantKinds: "incoming,answered"},
		{name: "reject policy", cfg: func(c *door.Config) { c.Call.Incoming = "reject" }, from: "sip:101@pbx",
			wantState: door.Idle, wantReject: 603, wantKinds: "incoming-rejected"},
		{name: "allow_from matches", cfg: func(c *door.Config) { c.Call.AllowFrom = []string{"sip:101@PBX:5060;transport=udp"} },
			from: "\"Flat 1\" <sip:101@pbx>;tag=x", wantState: door.RingingIn, wantRing: true, wantKinds: "incoming"},
		{name: "allow_from host pattern", cfg: func(c *door.Config) { c.Call.AllowFrom = []string{"sip:pbx"} },
			from: "sip:999@pbx", wantState: door.RingingIn, wantRing: true, wantKinds: "incoming"},
		{name: "not in allow_from is 403 without ringing", cfg: func(c *door.Config) {
			c.Call.AllowFrom = []string{"sip:101@pbx"}
			c.Call.Incoming = "auto"
		}, from: "sip:666@evil", wantState: door.Idle, wantReject: 403, wantKinds: "incoming-rejected"},
		{name: "busy in a call is 486", busy: true, from: "sip:102@pbx", wantState: door.InCall, wantReject: 486,
			wantKinds: "incoming-rejected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig()
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			r := newRig(t, cfg)
			if tt.busy {
				r.press("bell")
				r.push(door.PhoneEvent{Kind: door.Answered, Call: r.phone.Last("sip:101@pbx")})
			}
			r.newKinds()
			c := r.incoming(tt.from)
			r.wantState(tt.wantState)
			if c.Rejected() != tt.wantReject || c.Rang() != tt.wantRing {
				t.Errorf("rejected %d rang %v, want %d %v", c.Rejected(), c.Rang(), tt.wantReject, tt.wantRing)
			}
			r.wantKinds(tt.wantKinds)
		})
	}
}

func TestIncomingCallerCancels(t *testing.T) {
	r := newRig(t, baseConfig())
	c := r.incoming("sip:101@pbx")
	if r.board.LED("led-ring") != door.FastBlink {
		t.Error("ringing LED not blinking")
	}
	r.push(door.PhoneEvent{Kind: door.Ended, Call: c, Code: 487})
	r.wantState(door.Idle)
	if r.board.LED("led-ring") != door.Off {
		t.Error("ringing LED still on")
	}
}

func TestCallEnds(t *testing.T) {
	tests := []struct {
		name      string
		ev        func(c *doortest.Call) door.PhoneEvent
		wantHang  int
		wantKinds string
	}{
		{"remote BYE", func(c *doortest.Call) door.PhoneEvent {
			return door.PhoneEvent{Kind: door.Ended, Call: c, Reason: "BYE"}
		},
			0, "call-ended"},
		{"media timeout", func(c *doortest.Call) door.PhoneEvent { return door.PhoneEvent{Kind: door.MediaTimeout, Call: c} },
			1, "media-timeout,call-ended"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, baseConfig())
			c := r.answerCall("sip:101@pbx")
			r.newKinds()
			r.push(tt.ev(c))
			r.wantState(door.Idle)
			if c.HungUp() != tt.wantHang {
				t.Errorf("Hangup called %d times, want %d", c.HungUp(), tt.wantHang)
			}
			r.wantKinds(tt.wantKinds)
			// A late event of the finished call changes nothing.
			r.push(door.PhoneEvent{Kind: door.Ended, Call: c})
			r.wantKinds("")
		})
	}
}

func TestMaxDuration(t *testing.T) {
	r := newRig(t, baseConfig()) // 3m limit, warning 10s before
	c := r.answerCall("sip:101@pbx")
	r.newKinds()
	r.advance(170*time.Second - time.Millisecond)
	if len(c.Tones()) != 0 {
		t.Fatal("warning too early")
	}
	r.advance(time.Millisecond)
	if tones := c.Tones(); len(tones) != 1 || tones[0] != "warning" {
		t.Fatalf("tones %v", tones)
	}
	r.wantState(door.InCall)
	r.advance(10 * time.Second)
	r.wantState(door.Idle)
	if c.HungUp() != 1 {
		t.Error("not hung up at max_duration")
	}
	r.wantKinds("max-duration-warning,max-duration,call-ended")
}

func TestMaxDurationZeroMeansNoLimit(t *testing.T) {
	cfg := baseConfig()
	cfg.Call.MaxDuration = 0
	r := newRig(t, cfg)
	r.answerCall("sip:101@pbx")
	r.advance(24 * time.Hour)
	r.wantState(door.InCall)
}

func TestReloadDuringCall(t *testing.T) {
	r := newRig(t, baseConfig())
	c := r.answerCall("sip:101@pbx")
	r.advance(20 * time.Second)

	bad := baseConfig()
	bad.Call.Incoming = "sometimes"
	if err := r.c.Apply(bad); err == nil {
		t.Fatal("invalid config applied")
	}
	next := baseConfig()
	next.Call.MaxDuration = 40 * time.Second // warning due at 30s, end at 40s of the call
	next.LEDs = next.LEDs[1:]                // led-reg leaves the config
	r.board.SetLED("led-reg", door.On)
	r.newKinds()
	if err := r.c.Apply(next); err != nil {
		t.Fatal(err)
	}
	s := r.wantState(door.InCall)
	if s.Peer != "sip:101@pbx" || c.HungUp() != 0 {
		t.Fatal("reload dropped the call")
	}
	r.wantKinds("config-reloaded")
	if r.board.LED("led-reg") != door.Off {
		t.Error("removed LED not turned off")
	}
	r.advance(10 * time.Second)
	if len(c.Tones()) != 1 {
		t.Errorf("tones %v after reload shortened the limit", c.Tones())
	}
	r.advance(10 * time.Second)
	r.wantState(door.Idle)

	// A reload that puts the limit below the age of the call ends it at once.
	c2 := r.answerCall("sip:102@pbx")
	r.advance(time.Minute)
	short := next
	short.Call.MaxDuration = 30 * time.Second
	if err := r.c.Apply(short); err != nil {
		t.Fatal(err)
	}
	r.sync()
	r.advance(0)
	r.wantState(door.Idle)
	if c2.HungUp() != 1 {
		t.Error("over-age call not hung up")
	}
}

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

func TestExitButtonAndDoorLED(t *testing.T) {
	r := newRig(t, baseConfig())
	r.newKinds()
	r.press("exit")
	s := r.wantState(door.Idle)
	if !s.DoorOpen || !r.board.Relay("door") || r.board.LED("led-door") != door.On {
		t.Errorf("door not open: status %v relay %v led %v", s.DoorOpen, r.board.Relay("door"), r.board.LED("led-door"))
	}
	r.advance(3 * time.Second)
	if r.sync().DoorOpen || r.board.LED("led-door") != door.Off {
		t.Error("door-open LED still on after open_for")
	}
	r.wantKinds("door-open,door-released")
	if e := r.log.Recent(); len(e) < 2 || e[len(e)-2].String("via") != "exit-button" {
		t.Errorf("door-open entry %v", e[len(e)-2])
	}
}

func TestRegistrationLEDs(t *testing.T) {
	r := newRig(t, baseConfig())
	steps := []struct {
		ev      door.PhoneEvent
		reg     door.LEDPattern
		errLED  door.LEDPattern
		wantReg bool
	}{
		{door.PhoneEvent{Kind: door.Registration, Account: "a", Registered: true}, door.On, door.Off, true},
		{door.PhoneEvent{Kind: door.Registration, Account: "b", Registered: false, Code: 401, Reason: "auth"}, door.Off, door.SlowBlink, false},
		{door.PhoneEvent{Kind: door.Registration, Account: "b", Registered: true}, door.On, door.Off, true},
		{door.PhoneEvent{Kind: door.Registration, Account: "a", Registered: false}, door.Off, door.Off, false},
	}
	for i, st := range steps {
		r.push(st.ev)
		s := r.sync()
		if r.board.LED("led-reg") != st.reg || r.board.LED("led-err") != st.errLED || s.Registered != st.wantReg {
			t.Errorf("step %d: reg LED %v err LED %v registered %v", i, r.board.LED("led-reg"), r.board.LED("led-err"), s.Registered)
		}
	}
	if s := r.sync(); len(s.Accounts) != 2 || s.Accounts[0].Account != "a" {
		t.Errorf("accounts %v", s.Accounts)
	}
	r.newKinds()
	r.push(steps[3].ev) // no change, no entry
	r.wantKinds("")
}

func TestLEDsFollowCalls(t *testing.T) {
	r := newRig(t, baseConfig())
	r.press("bell")
	if r.board.LED("led-ring") != door.FastBlink || r.board.LED("led-call") != door.Off {
		t.Error("dialing LEDs")
	}
	r.push(door.PhoneEvent{Kind: door.Answered, Call: r.phone.Last("sip:101@pbx")})
	if r.board.LED("led-ring") != door.Off || r.board.LED("led-call") != door.On {
		t.Error("in-call LEDs")
	}
}

func TestPanicLeavesRelaySafe(t *testing.T) {
	r := newRig(t, baseConfig())
	r.press("exit")
	if !r.board.Relay("door") {
		t.Fatal("relay not energised by the exit button")
	}
	c := r.phone.NewIncoming("sip:101@pbx")
	c.PanicOn("Ring")
	if err := r.phone.Push(r.ctx, door.PhoneEvent{Kind: door.Incoming, Call: c}); err != nil {
		t.Fatal(err)
	}
	err := r.stop()
	if !errors.Is(err, door.ErrPanic) {
		t.Fatalf("Run returned %v, want ErrPanic", err)
	}
	if r.board.Relay("door") || r.board.Halts() != 1 {
		t.Errorf("relay %v, halts %d after panic", r.board.Relay("door"), r.board.Halts())
	}
	if _, err := r.c.Do(r.ctx, door.Command{Op: "status"}); !errors.Is(err, door.ErrNotRunning) {
		t.Errorf("Do after panic: %v", err)
	}
	if e := r.log.Recent(); e[len(e)-1].Kind != "panic" {
		t.Errorf("last entry %v", e[len(e)-1])
	}
	if r.c.Status().State != door.Stopped {
		t.Error("status not stopped")
	}
}

func TestShutdownHangsUpAndHalts(t *testing.T) {
	r := newRig(t, baseConfig())
	c := r.answerCall("sip:101@pbx")
	r.press("open")
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	if c.HungUp() != 1 || r.board.Relay("door") || r.board.Halts() != 1 {
		t.Errorf("hangups %d relay %v halts %d", c.HungUp(), r.board.Relay("door"), r.board.Halts())
	}
	if err := r.c.Run(r.ctx); !errors.Is(err, door.ErrRunning) {
		t.Errorf("second Run: %v", err)
	}
}

func TestCommands(t *testing.T) {
	tests := []struct {
		name      string
		cmd       door.Command
		setup     func(r *rig)
		wantErr   error
		wantState door.State
	}{
		{name: "status", cmd: door.Command{Op: "status"}, wantState: door.Idle},
		{name: "call URI", cmd: door.Command{Op: "call", Arg: "sip:200@pbx"}, wantState: door.Dialing},
		{name: "call default targets", cmd: door.Command{Op: "call"}, wantState: door.Dialing},
		{name: "call while busy", cmd: door.Command{Op: "call", Arg: "sip:200@pbx"},
			setup: func(r *rig) { r.answerCall("sip:1@pbx") }, wantErr: door.ErrBusy, wantState: door.InCall},
		{name: "answer nothing", cmd: door.Command{Op: "answer"}, wantErr: door.ErrNoCall, wantState: door.Idle},
		{name: "answer", cmd: door.Command{Op: "answer"}, setup: func(r *rig) { r.incoming("sip:1@pbx") }, wantState: door.InCall},
		{name: "hangup nothing", cmd: door.Command{Op: "hangup"}, wantErr: door.ErrNoCall, wantState: door.Idle},
		{name: "hangup", cmd: door.Command{Op: "hangup"}, setup: func(r *rig) { r.answerCall("sip:1@pbx") }, wantState: door.Idle},
		{name: "open", cmd: door.Command{Op: "open"}, wantState: door.Idle},
		{name: "press bell", cmd: door.Command{Op: "press", Arg: "bell"}, wantState: door.Dialing},
		{name: "long press does no action", cmd: door.Command{Op: "press", Arg: "bell", Long: true}, wantState: door.Idle},
		{name: "release", cmd: door.Command{Op: "release", Arg: "bell"}, wantState: door.Idle},
		{name: "press exit input", cmd: door.Command{Op: "press", Arg: "exit"}, wantState: door.Idle},
		{name: "press unknown", cmd: door.Command{Op: "press", Arg: "nope"}, wantErr: door.ErrUnknownButton, wantState: door.Idle},
		{name: "unknown op", cmd: door.Command{Op: "dance"}, wantErr: door.ErrUnknownOp, wantState: door.Idle},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, baseConfig())
			if tt.setup != nil {
				tt.setup(r)
			}
			res, err := r.c.Do(r.ctx, tt.cmd)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("err %v, want %v", err, tt.wantErr)
			}
			if err == nil && res.Status.State != tt.wantState {
				t.Errorf("result state %s, want %s", res.Status.State, tt.wantState)
			}
			r.wantState(tt.wantState)
		})
	}
}

func TestNotifyAndHeartbeat(t *testing.T) {
	r := newRig(t, baseConfig())
	r.press("bell")
	r.push(door.PhoneEvent{Kind: door.Answered, Call: r.phone.Last("sip:101@pbx")})
	var got []string
	for len(r.notes) > 0 {
		got = append(got, <-r.notes)
	}
	want := []string{"idle, not registered", "dialing, not registered", "in call with sip:101@pbx, not registered"}
	if len(got) != len(want) {
		t.Fatalf("notes %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("note %d %q, want %q", i, got[i], want[i])
		}
	}
}

func TestHeartbeatFromTheLoop(t *testing.T) {
	defer goleak.VerifyNone(t)
	clk := clock.NewFake(t0)
	beats := make(chan struct{}, 10)
	c := door.New(baseConfig(), doortest.NewPhone(), doortest.NewBoard(), door.Options{Clock: clk,
		Heartbeat: func() { beats <- struct{}{} }, HeartbeatEvery: time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- c.Run(ctx) }()
	if _, err := c.Do(ctx, door.Command{Op: "status"}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		clk.Advance(time.Second)
		<-beats
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestDoorOpenedBy(t *testing.T) {
	tests := []struct {
		name    string
		open    func(r *rig)
		by, via string
	}{
		{"exit button", func(r *rig) { r.press("exit") }, "button exit", "exit-button"},
		{"open button", func(r *rig) { r.press("open") }, "button open", "button"},
		{"ctl press", func(r *rig) { r.do("press", "open") }, "button open (control)", "button"},
		{"ctl open", func(r *rig) { r.do("open", "") }, "control", "control"},
		{"dtmf", func(r *rig) {
			c := r.answerCall("sip:101@pbx")
			for _, d := range "#1" {
				r.push(door.PhoneEvent{Kind: door.DTMF, Call: c, Digit: d})
			}
		}, "sip:101@pbx", "dtmf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, baseConfig())
			tt.open(r)
			r.sync()
			var found bool
			for _, e := range r.log.Recent() {
				if e.Kind == "door-open" {
					found = true
					if e.String("by") != tt.by || e.String("via") != tt.via {
						t.Errorf("by %q via %q, want %q %q", e.String("by"), e.String("via"), tt.by, tt.via)
					}
				}
			}
			if !found {
				t.Error("no door-open entry")
			}
		})
	}
}
