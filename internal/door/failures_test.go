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

var errSIP = errors.New("sip: transaction timeout")

// The phone failing under the controller never wedges it: it logs and moves on.
func TestPhoneFailures(t *testing.T) {
	tests := []struct {
		name      string
		steps     func(r *rig)
		wantState door.State
		wantKinds string
	}{
		{name: "answer fails", steps: func(r *rig) {
			c := r.incoming("sip:101@pbx")
			c.Fail(errSIP)
			r.press("ans")
		}, wantState: door.Idle, wantKinds: "incoming,answer-failed"},
		{name: "hangup fails", steps: func(r *rig) {
			c := r.answerCall("sip:101@pbx")
			c.Fail(errSIP)
			r.press("end")
		}, wantState: door.Idle, wantKinds: "incoming,answered,call-ended"},
		{name: "cancel fails", steps: func(r *rig) {
			r.press("bell")
			r.phone.Last("sip:101@pbx").Fail(errSIP)
			r.advance(10 * time.Second)
		}, wantState: door.Dialing, wantKinds: "ring-group,calling,cancelled,calling"},
		{name: "sending the code fails", steps: func(r *rig) {
			c := r.answerCall("sip:door@pbx")
			c.Fail(errSIP)
			if _, err := r.do("open", ""); !errors.Is(err, errSIP) {
				r.t.Errorf("open: %v", err)
			}
		}, wantState: door.InCall, wantKinds: "incoming,answered,door-code-send-failed"},
		{name: "warning tone fails", steps: func(r *rig) {
			c := r.answerCall("sip:101@pbx")
			c.Fail(errSIP)
			r.advance(170 * time.Second)
		}, wantState: door.InCall, wantKinds: "incoming,answered,max-duration-warning"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig()
			if tt.name == "sending the code fails" {
				cfg.Door.HasRelay = false
			}
			r := newRig(t, cfg)
			r.newKinds()
			tt.steps(r)
			r.wantState(tt.wantState)
			r.wantKinds(tt.wantKinds)
		})
	}
}

func TestApplyBeforeRun(t *testing.T) {
	defer goleak.VerifyNone(t)
	phone, board := doortest.NewPhone(), doortest.NewBoard()
	c := door.New(baseConfig(), phone, board, door.Options{Clock: clock.NewFake(t0)})
	next := baseConfig()
	next.Call.Incoming = "auto"
	if err := c.Apply(next); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- c.Run(ctx) }()
	call := phone.NewIncoming("sip:101@pbx")
	if err := phone.Push(ctx, door.PhoneEvent{Kind: door.Incoming, Call: call}); err != nil {
		t.Fatal(err)
	}
	if res, err := c.Do(ctx, door.Command{Op: "status"}); err != nil || res.Status.State != door.InCall {
		t.Errorf("config applied before Run not in force: %+v %v", res.Status, err)
	}
	var kinds []string
	for _, e := range c.Recent() {
		kinds = append(kinds, string(e.Kind))
	}
	if len(kinds) < 2 || kinds[1] != "config-reloaded" {
		t.Errorf("entries %v", kinds)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do(context.Background(), door.Command{Op: "status"}); !errors.Is(err, door.ErrNotRunning) {
		t.Errorf("Do after Run: %v", err)
	}
}

func TestBoardFailures(t *testing.T) {
	errGPIO := errors.New("gpio: line busy")
	r := newRig(t, baseConfig())
	r.board.Fail(errGPIO)
	r.newKinds()
	if _, err := r.do("open", ""); !errors.Is(err, errGPIO) {
		t.Errorf("open with a failing relay: %v", err)
	}
	r.press("bell") // LED failures do not stop a call
	s := r.wantState(door.Dialing)
	if s.DoorOpen {
		t.Error("door reported open although the relay failed")
	}
	r.wantKinds("door-error,ring-group,calling")
	r.board.Fail(nil)
	r.advance(0)
	if r.board.LED("led-ring") != door.FastBlink {
		t.Error("LED not set once the board works again")
	}
}
