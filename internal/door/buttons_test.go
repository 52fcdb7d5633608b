package door_test

import (
	"errors"
	"testing"
	"time"

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
