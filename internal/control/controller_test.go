package control_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/control"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/door/doortest"
)

// TestWithController drives a real controller over the socket: the path `intercom ctl` takes.
func TestWithController(t *testing.T) {
	cfg := door.Defaults()
	bell := door.ButtonDefaults()
	bell.Name, bell.Call = "bell", []string{"sip:101@pbx"}
	cfg.Buttons = []door.Button{bell}
	cfg.Door.HasRelay = true
	phone, board := doortest.NewPhone(), doortest.NewBoard()
	ctrl := door.New(cfg, phone, board, door.Options{Clock: clock.NewFake(time.Unix(0, 0))})
	var _ control.Handler = ctrl

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv, err := control.Listen(filepath.Join(t.TempDir(), "c.sock"), ctrl, control.Options{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 2)
	go func() { done <- ctrl.Run(ctx) }()
	go func() { done <- srv.Run(ctx) }()
	defer func() {
		cancel()
		for range 2 {
			if err := <-done; err != nil {
				t.Error(err)
			}
		}
		srv.Close()
		goleak.VerifyNone(t)
	}()

	cl, err := control.Dial(ctx, srv.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	steps := []struct {
		req   control.Request
		state door.State
	}{
		{control.Request{Op: "press", Arg: "bell"}, door.Dialing},
		{control.Request{Op: "hangup"}, door.Idle},
		{control.Request{Op: "open"}, door.Idle},
	}
	for _, st := range steps {
		resp, err := cl.Do(st.req)
		if err != nil || resp.Status == nil || resp.Status.State != st.state {
			t.Fatalf("%+v: %+v %v", st.req, resp, err)
		}
	}
	if len(phone.Dialed()) != 1 || len(board.Pulses()) != 1 {
		t.Errorf("dialed %d, pulses %d", len(phone.Dialed()), len(board.Pulses()))
	}
	resp, err := cl.Do(control.Request{Op: "status"})
	if err != nil || !resp.Status.DoorOpen {
		t.Errorf("status %+v %v", resp, err)
	}
}
