package door_test

import (
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/door"
)

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
			if s := r.sync(); len(s.Ringing) != 2 || s.Ringing[0] != "sip:101@pbx" || s.Ringing[1] != "sip:102@pbx" {
				t.Errorf("status ringing %v, want both in dial order", s.Ringing)
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
