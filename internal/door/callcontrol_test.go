package door_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/door"
)

// TestHoldTransfer: a hold button toggles hold, a transfer button hands the call to its
// target, and the control ops do the same; the status shows the hold.
func TestHoldTransfer(t *testing.T) {
	cfg := baseConfig()
	cfg.Buttons = append(cfg.Buttons,
		door.Button{Name: "hold", Action: "hold", RingMode: "serial", RingTimeout: time.Second},
		door.Button{Name: "xfer", Action: "transfer", Call: []string{"sip:reception@pbx"}, RingMode: "serial", RingTimeout: time.Second})
	r := newRig(t, cfg)
	if _, err := r.do(door.OpHold, ""); !errors.Is(err, door.ErrNoCall) {
		t.Fatalf("hold with no call: %v", err)
	}
	c := r.incoming("sip:101@pbx")
	if _, err := r.do(door.OpAnswer, ""); err != nil {
		t.Fatal(err)
	}
	r.newKinds()
	r.press("hold")
	if !r.wantState(door.InCall).Held {
		t.Error("not held after the hold button")
	}
	r.press("hold")
	if r.wantState(door.InCall).Held {
		t.Error("still held after the second press")
	}
	if _, err := r.do(door.OpHold, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := r.do(door.OpUnhold, ""); err != nil {
		t.Fatal(err)
	}
	r.press("xfer")
	if _, err := r.do(door.OpTransfer, "sip:202@pbx"); err != nil {
		t.Fatal(err)
	}
	want := []string{"hold", "unhold", "hold", "unhold", "transfer sip:reception@pbx", "transfer sip:202@pbx"}
	if got := c.Actions(); !slices.Equal(got, want) {
		t.Errorf("asked %v, want %v", got, want)
	}
	r.wantKinds("hold,unhold,hold,unhold,transfer-sent,transfer-sent")

	// The REFERs' answers arrive later as events; the call goes on after a refusal.
	r.push(door.PhoneEvent{Kind: door.TransferResult, Call: c, Target: "sip:reception@pbx", Code: 603, Reason: "Decline"})
	r.push(door.PhoneEvent{Kind: door.TransferResult, Call: c, Target: "sip:202@pbx", Code: 202})
	r.wantState(door.InCall)
	r.wantKinds("transfer-failed,transfer-accepted")
}
