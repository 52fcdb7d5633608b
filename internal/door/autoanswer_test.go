package door_test

import (
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/door"
)

// TestAutoAnswer: a caller's auto-answer request (a PBX's paging key) is honoured only with
// [call] auto_answer on and the caller named in allow_from, after the delay it asked for.
func TestAutoAnswer(t *testing.T) {
	tests := []struct {
		name      string
		on        bool
		allow     []string
		after     time.Duration
		asked     bool
		wantState door.State // after the delay
		wantKinds string
	}{
		{"at once", true, []string{"sip:101@pbx"}, 0, true, door.InCall, "incoming,answered"},
		{"after 5 s", true, []string{"sip:101@pbx"}, 5 * time.Second, true, door.InCall, "incoming,answered"},
		{"not asked", true, []string{"sip:101@pbx"}, 0, false, door.RingingIn, "incoming"},
		{"auto_answer off", false, []string{"sip:101@pbx"}, 0, true, door.RingingIn, "incoming"},
		{"empty allow_from: anyone may call, nobody auto-answers", true, nil, 0, true, door.RingingIn, "incoming"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig()
			cfg.Call.AutoAnswer, cfg.Call.AllowFrom, cfg.Call.RingTimeout = tt.on, tt.allow, 0
			r := newRig(t, cfg)
			r.newKinds()
			c := r.phone.NewIncoming("sip:101@pbx")
			if tt.asked {
				c.AskAutoAnswer(tt.after)
			}
			r.push(door.PhoneEvent{Kind: door.Incoming, Call: c})
			if tt.after > 0 {
				r.wantState(door.RingingIn)
				r.advance(tt.after - time.Millisecond)
				r.wantState(door.RingingIn)
				r.advance(time.Millisecond)
			}
			r.wantState(tt.wantState)
			if c.Answered() != (tt.wantState == door.InCall) {
				t.Errorf("answered %v", c.Answered())
			}
			r.wantKinds(tt.wantKinds)
		})
	}
}
