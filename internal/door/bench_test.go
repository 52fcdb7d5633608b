package door_test

import (
	"context"
	"testing"

	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/door/doortest"
)

// BenchmarkEvent is one phone event through the loop (a DTMF digit that completes a wrong
// code window) plus a Do round trip, the controller's cost per event.
func BenchmarkEvent(b *testing.B) {
	cfg := baseConfig()
	cfg.Door.MaxAttempts = 1 << 30
	phone, board := doortest.NewPhone(), doortest.NewBoard()
	c := door.New(cfg, phone, board, door.Options{Clock: clock.NewFake(t0)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- c.Run(ctx) }()
	call := phone.NewIncoming("sip:101@pbx")
	phone.Push(ctx, door.PhoneEvent{Kind: door.Incoming, Call: call})
	c.Do(ctx, door.Command{Op: "answer"})
	b.ReportAllocs()
	for b.Loop() {
		phone.Push(ctx, door.PhoneEvent{Kind: door.DTMF, Call: call, Digit: '5'})
		c.Do(ctx, door.Command{Op: "status"})
	}
	b.StopTimer()
	cancel()
	<-done
}
