package door_test

import (
	"testing"

	"github.com/doorsip/intercom/internal/door"
)

// TestMessageWaitingLED: an LED with show = "mwi" blinks slowly while any watched voicemail
// box has messages, and the status says so.
func TestMessageWaitingLED(t *testing.T) {
	cfg := baseConfig()
	cfg.LEDs = append(cfg.LEDs, door.LED{Name: "led-mwi", Show: "mwi"})
	r := newRig(t, cfg)
	for i, st := range []struct {
		ev   door.PhoneEvent
		want door.LEDPattern
	}{
		{door.PhoneEvent{Kind: door.MessageWaiting, Account: "sip:101@vm", Waiting: true}, door.SlowBlink},
		{door.PhoneEvent{Kind: door.MessageWaiting, Account: "sip:102@vm", Waiting: true}, door.SlowBlink},
		{door.PhoneEvent{Kind: door.MessageWaiting, Account: "sip:101@vm", Waiting: false}, door.SlowBlink},
		{door.PhoneEvent{Kind: door.MessageWaiting, Account: "sip:102@vm", Waiting: false}, door.Off},
	} {
		r.push(st.ev)
		s := r.sync()
		if got := r.board.LED("led-mwi"); got != st.want || s.Messages != (st.want == door.SlowBlink) {
			t.Errorf("step %d: LED %v, status messages %v", i, got, s.Messages)
		}
	}
}
