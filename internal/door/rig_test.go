package door_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/door/doortest"
	"github.com/doorsip/intercom/internal/eventlog"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// rig is one controller with fakes around it, running until the test ends.
type rig struct {
	t      *testing.T
	ctx    context.Context
	c      *door.Controller
	phone  *doortest.Phone
	board  *doortest.Board
	clk    *clock.Fake
	log    *eventlog.Log
	cancel context.CancelFunc
	done   chan error
	notes  chan string
	mark   int // index in the log of the first entry not yet checked
}

// baseConfig is a door station: bell button calling two indoor units, relay, LEDs.
func baseConfig() door.Config {
	cfg := door.Defaults()
	bell := door.ButtonDefaults()
	bell.Name = "bell"
	bell.Call = []string{"sip:101@pbx", "sip:102@pbx"}
	bell.RingTimeout = 10 * time.Second
	cfg.Buttons = []door.Button{bell,
		{Name: "ans", Action: "answer", RingMode: "serial", RingTimeout: time.Second},
		{Name: "end", Action: "hangup", RingMode: "serial", RingTimeout: time.Second},
		{Name: "tog", Action: "toggle", Call: []string{"sip:101@pbx"}, RingMode: "serial", RingTimeout: 5 * time.Second},
		{Name: "open", Action: "open", RingMode: "serial", RingTimeout: time.Second},
	}
	cfg.LEDs = []door.LED{
		{Name: "led-reg", Show: "registered"}, {Name: "led-ring", Show: "ringing"},
		{Name: "led-call", Show: "in-call"}, {Name: "led-door", Show: "door-open"},
		{Name: "led-err", Show: "error"},
	}
	cfg.Door.HasRelay = true
	cfg.Door.DTMFCode = "#1"
	cfg.Door.ExitButton = "exit"
	cfg.Call.Incoming = "button"
	return cfg
}

func newRig(t *testing.T, cfg door.Config) *rig {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("test config: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	r := &rig{t: t, ctx: ctx, phone: doortest.NewPhone(), board: doortest.NewBoard(),
		clk: clock.NewFake(t0), cancel: cancel, done: make(chan error, 1), notes: make(chan string, 100)}
	r.log = eventlog.New(eventlog.Config{MaxSize: eventlog.MinSize}, eventlog.Options{Clock: r.clk})
	r.c = door.New(cfg, r.phone, r.board, door.Options{Clock: r.clk, Events: r.log,
		Notify: func(s string) {
			select {
			case r.notes <- s:
			default:
			}
		}})
	go func() { r.done <- r.c.Run(ctx) }()
	r.sync()
	t.Cleanup(func() {
		r.stop()
		goleak.VerifyNone(t)
	})
	return r
}

// stop ends Run and returns its error (once; later calls return nil).
func (r *rig) stop() error {
	r.cancel()
	if r.done == nil {
		return nil
	}
	err := <-r.done
	r.done = nil
	return err
}

// sync waits until the controller has handled everything pushed so far and returns the status.
func (r *rig) sync() door.Status {
	r.t.Helper()
	res, err := r.c.Do(r.ctx, door.Command{Op: "status"})
	if err != nil {
		r.t.Fatalf("status: %v", err)
	}
	return res.Status
}

func (r *rig) push(ev door.PhoneEvent) {
	r.t.Helper()
	if err := r.phone.Push(r.ctx, ev); err != nil {
		r.t.Fatal(err)
	}
	r.sync()
}

func (r *rig) input(name string, kind door.InputKind) {
	r.t.Helper()
	if err := r.board.Push(r.ctx, door.InputEvent{Name: name, Kind: kind}); err != nil {
		r.t.Fatal(err)
	}
	r.sync()
}

func (r *rig) press(name string) { r.input(name, door.Press) }

func (r *rig) advance(d time.Duration) {
	r.clk.Advance(d)
	r.sync()
}

func (r *rig) do(op door.Op, arg string) (door.Result, error) {
	return r.c.Do(r.ctx, door.Command{Op: op, Arg: arg})
}

// incoming announces a call from remote and returns it.
func (r *rig) incoming(remote string) *doortest.Call {
	c := r.phone.NewIncoming(remote)
	r.push(door.PhoneEvent{Kind: door.Incoming, Call: c})
	return c
}

// newKinds returns the kinds of event log entries since the last call, minus input edges.
func (r *rig) newKinds() string {
	all := r.log.Recent()
	var k []string
	for _, e := range all[r.mark:] {
		if e.Kind != "input" {
			k = append(k, string(e.Kind))
		}
	}
	r.mark = len(all)
	return strings.Join(k, ",")
}

func (r *rig) wantKinds(want string) {
	r.t.Helper()
	if got := r.newKinds(); got != want {
		r.t.Errorf("events: got  %s\n             want %s", got, want)
	}
}

func (r *rig) wantState(want door.State) door.Status {
	r.t.Helper()
	s := r.sync()
	if s.State != want {
		r.t.Errorf("state %s, want %s", s.State, want)
	}
	return s
}

// answerCall brings the rig into InCall with an incoming call from remote.
func (r *rig) answerCall(remote string) *doortest.Call {
	r.t.Helper()
	c := r.incoming(remote)
	r.press("ans")
	r.wantState(door.InCall)
	return c
}

var errDial = errors.New("dial failed")
