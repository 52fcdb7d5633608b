package door_test

import (
	"errors"
	"testing"

	"github.com/doorsip/intercom/internal/door"
)

func TestPanicLeavesRelaySafe(t *testing.T) {
	r := newRig(t, baseConfig())
	r.press("exit")
	if !r.board.Relay("door") {
		t.Fatal("relay not energised by the exit button")
	}
	c := r.phone.NewIncoming("sip:101@pbx")
	c.PanicOn("Ring")
	if err := r.phone.Push(r.ctx, door.PhoneEvent{Kind: door.Incoming, Call: c}); err != nil {
		t.Fatal(err)
	}
	err := r.stop()
	if !errors.Is(err, door.ErrPanic) {
		t.Fatalf("Run returned %v, want ErrPanic", err)
	}
	if r.board.Relay("door") || r.board.Halts() != 1 {
		t.Errorf("relay %v, halts %d after panic", r.board.Relay("door"), r.board.Halts())
	}
	if _, err := r.c.Do(r.ctx, door.Command{Op: "status"}); !errors.Is(err, door.ErrNotRunning) {
		t.Errorf("Do after panic: %v", err)
	}
	if e := r.log.Recent(); e[len(e)-1].Kind != "panic" {
		t.Errorf("last entry %v", e[len(e)-1])
	}
	if r.c.Status().State != door.Stopped {
		t.Error("status not stopped")
	}
}

func TestShutdownHangsUpAndHalts(t *testing.T) {
	r := newRig(t, baseConfig())
	c := r.answerCall("sip:101@pbx")
	r.press("open")
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	if c.HungUp() != 1 || r.board.Relay("door") || r.board.Halts() != 1 {
		t.Errorf("hangups %d relay %v halts %d", c.HungUp(), r.board.Relay("door"), r.board.Halts())
	}
	if err := r.c.Run(r.ctx); !errors.Is(err, door.ErrRunning) {
		t.Errorf("second Run: %v", err)
	}
}
