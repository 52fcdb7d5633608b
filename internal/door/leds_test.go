package door_test

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/door/doortest"
)

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
