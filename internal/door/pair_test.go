package door_test

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/door/doortest"
	"github.com/doorsip/intercom/internal/eventlog"
)

// unit is one controller on a doortest.Switch.
type unit struct {
	c     *door.Controller
	board *doortest.Board
	log   *eventlog.Log
}

// TestDoorAndIndoorUnit is the demo's scenario at the controller level: the door station's
// bell rings the indoor unit, it answers, its open button sends the code, the door station's
// relay pulses, the indoor unit hangs up.
func TestDoorAndIndoorUnit(t *testing.T) {
	defer goleak.VerifyNone(t)
	clk := clock.NewFake(t0)
	sw := doortest.NewSwitch()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	doorCfg := door.Defaults()
	bell := door.ButtonDefaults()
	bell.Name, bell.Call = "bell", []string{"sip:indoor@lan"}
	doorCfg.Buttons = []door.Button{bell}
	doorCfg.Door.HasRelay = true
	doorCfg.Call.Incoming = "reject"

	indoorCfg := door.Defaults()
	indoorCfg.Buttons = []door.Button{
		{Name: "talk", Action: "toggle", Call: []string{"sip:door@lan"}, RingMode: "serial", RingTimeout: 20 * time.Second},
		{Name: "open", Action: "open", RingMode: "serial", RingTimeout: 20 * time.Second},
	}
	indoorCfg.Call.Incoming = "button"

	units := map[string]*unit{}
	done := make(chan error, 2)
	for name, cfg := range map[string]door.Config{"door": doorCfg, "indoor": indoorCfg} {
		u := &unit{board: doortest.NewBoard(), log: eventlog.New(eventlog.Config{}, eventlog.Options{Clock: clk})}
		u.c = door.New(cfg, sw.Phone("sip:"+name+"@lan"), u.board, door.Options{Clock: clk, Events: u.log})
		units[name] = u
		go func() { done <- u.c.Run(ctx) }()
	}
	doorU, indoor := units["door"], units["indoor"]
	// settle waits until both controllers agree with want; events cross between them through
	// buffered channels, so each status round trip lets them progress.
	settle := func(step string, want func() bool) {
		t.Helper()
		for range 10000 {
			if want() {
				return
			}
			runtime.Gosched()
		}
		t.Fatalf("%s: door %+v, indoor %+v", step, doorU.c.Status(), indoor.c.Status())
	}
	state := func(u *unit) door.State {
		r, err := u.c.Do(ctx, door.Command{Op: "status"})
		if err != nil {
			t.Fatal(err)
		}
		return r.Status.State
	}
	press := func(u *unit, name string) {
		if err := u.board.Push(ctx, door.InputEvent{Name: name, Kind: door.Press}); err != nil {
			t.Fatal(err)
		}
	}

	press(doorU, "bell")
	settle("ringing", func() bool { return state(doorU) == door.RingingOut && state(indoor) == door.RingingIn })
	press(indoor, "talk")
	settle("answered", func() bool { return state(doorU) == door.InCall && state(indoor) == door.InCall })
	if p := indoor.c.Status().Peer; p != "sip:door@lan" {
		t.Errorf("indoor peer %q", p)
	}
	press(indoor, "open")
	settle("door opened", func() bool { state(doorU); return len(doorU.board.Pulses()) == 1 })
	press(indoor, "talk")
	settle("hung up", func() bool { return state(doorU) == door.Idle && state(indoor) == door.Idle })

	timeline := func(u *unit) string {
		var k []string
		for _, e := range u.log.Recent() {
			if e.Kind != "input" && e.Kind != "started" {
				k = append(k, string(e.Kind))
			}
		}
		return strings.Join(k, ",")
	}
	if got, want := timeline(doorU), "ring-group,calling,ringing,answered,door-open,call-ended"; got != want {
		t.Errorf("door timeline\n got  %s\n want %s", got, want)
	}
	if got, want := timeline(indoor), "incoming,answered,door-code-sent,call-ended"; got != want {
		t.Errorf("indoor timeline\n got  %s\n want %s", got, want)
	}
	cancel()
	for range 2 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
