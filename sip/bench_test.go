package sip

import (
	"context"
	"testing"
)

// BenchmarkInviteAnswer measures INVITE -> 200 OK -> ACK turnaround between two UAs on
// loopback UDP with the callee answering as soon as IncomingCall arrives (pjsua measured
// 0.56-0.77 ms for the same on this machine kind). Hang-up is outside the timer.
func BenchmarkInviteAnswer(b *testing.B) {
	a := startUA(b, nil)
	callee := startUA(b, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case ev := <-callee.Events():
				if ev.Kind == IncomingCall {
					_ = ev.Call.Answer(offerFor(5000, pcma))
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	defer func() { cancel(); <-done }()
	target := sipURI(callee, "door")
	offer := offerFor(4000, pcma, pcmu)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		call, err := a.Dial(ctx, target, offer)
		if err != nil {
			b.Fatal(err)
		}
		waitEvent(b, a, Answered)
		b.StopTimer()
		call.Hangup()
		waitEvent(b, a, Ended)
		b.StartTimer()
	}
}
