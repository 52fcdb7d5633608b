package app

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/eventlog"
	"github.com/doorsip/intercom/internal/testpeer"
)

// sippPhone is a door unit and a sipp phone running a scenario from testdata/sipp, for the
// tests that drive the door with control ops and watch the phone's side.
type sippPhone struct {
	t    *testing.T
	door *App
	sipp *testpeer.Sipp
}

func startSippPhone(t *testing.T, scenario string) *sippPhone {
	t.Helper()
	testpeer.Require(t, "sipp")
	s := testpeer.StartSipp(t, testpeer.SippOptions{Scenario: filepath.Join("testdata", "sipp", scenario),
		Args: []string{"-mp", strconv.Itoa(testpeer.SippMediaPort(t))}})
	return &sippPhone{t: t, door: startUnit(t, "door", testpeer.FreePort(t), ""), sipp: s}
}

// do runs a control op on the door; 10 s bounds an op that waited for a transaction.
func (p *sippPhone) do(op door.Op, arg string) door.Result {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := p.door.Controller().Do(ctx, door.Command{Op: op, Arg: arg})
	if err != nil {
		p.t.Fatalf("%s: %v", op, err)
	}
	return res
}

// call calls the phone and waits for the answer.
func (p *sippPhone) call() {
	p.t.Helper()
	p.do(door.OpCall, p.sipp.URI("resident"))
	p.waitState(door.InCall, "in call")
}

func (p *sippPhone) waitState(s door.State, what string) {
	p.t.Helper()
	waitUntil(p.t, 5*time.Second, what, func() bool { return p.door.Controller().Status().State == s })
}

// logged reports whether the door's event log holds an entry of kind.
func (p *sippPhone) logged(kind eventlog.Kind) func() bool {
	return func() bool { _, ok := hasEvent(p.door, string(kind)); return ok }
}

// hangUp hangs up, waits for idle and for the phone's scenario to end well.
func (p *sippPhone) hangUp() {
	p.t.Helper()
	p.do(door.OpHangup, "")
	p.finish("idle after the hang-up")
}

// finish waits for idle and for the phone's scenario to end well.
func (p *sippPhone) finish(what string) {
	p.t.Helper()
	p.waitState(door.Idle, what)
	if err := p.sipp.Wait(p.t, 10*time.Second); err != nil {
		p.t.Fatal(err)
	}
}
