package door_test

import (
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/door/doortest"
)

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

func TestIncomingRingTimeout(t *testing.T) {
	cfg := baseConfig()
	cfg.Call.RingTimeout = 30 * time.Second
	r := newRig(t, cfg)
	c := r.incoming("sip:101@pbx")
	r.advance(29 * time.Second)
	r.wantState(door.RingingIn)
	r.newKinds()
	r.advance(2 * time.Second)
	r.wantState(door.Idle)
	if c.Rejected() != 480 {
		t.Errorf("rejected with %d, want 480 after call.ring_timeout", c.Rejected())
	}
	r.wantKinds("no-answer")

	// A second call answered in time is not cut off by the first call's timer.
	c2 := r.incoming("sip:102@pbx")
	r.advance(10 * time.Second)
	if _, err := r.do("answer", ""); err != nil {
		t.Fatal(err)
	}
	r.advance(time.Minute)
	r.wantState(door.InCall)
	if c2.Rejected() != 0 {
		t.Errorf("answered call rejected with %d", c2.Rejected())
	}
}
