package clock

import (
	"testing"
	"time"
)

func TestFakeTimersFireInOrder(t *testing.T) {
	start := time.Unix(1000, 0)
	f := NewFake(start)
	a := f.NewTimer(3 * time.Second)
	b := f.NewTimer(1 * time.Second)
	tick := f.NewTicker(2 * time.Second)
	if f.Timers() != 3 {
		t.Fatalf("Timers() = %d, want 3", f.Timers())
	}
	f.Advance(500 * time.Millisecond)
	select {
	case <-b.C():
		t.Fatal("timer fired early")
	default:
	}
	f.Advance(time.Second) // t = 1.5s
	if got := <-b.C(); !got.Equal(start.Add(time.Second)) {
		t.Errorf("b fired at %v, want its deadline", got)
	}
	f.Advance(2 * time.Second) // t = 3.5s: tick at 2s, a at 3s
	if got := <-tick.C(); !got.Equal(start.Add(2 * time.Second)) {
		t.Errorf("tick at %v", got)
	}
	if got := <-a.C(); !got.Equal(start.Add(3 * time.Second)) {
		t.Errorf("a at %v", got)
	}
	if a.Stop() {
		t.Error("Stop of a fired timer reported active")
	}
	f.Advance(4 * time.Second) // ticks at 4s and 6s coalesce in the 1-buffered channel
	<-tick.C()
	tick.Stop()
	if f.Timers() != 0 {
		t.Errorf("Timers() = %d after stops, want 0", f.Timers())
	}
	if got := f.Since(start); got != 7500*time.Millisecond {
		t.Errorf("Since = %v", got)
	}
}

func TestFakeReset(t *testing.T) {
	f := NewFake(time.Unix(0, 0))
	tm := f.NewTimer(time.Second)
	tm.Stop()
	if tm.Reset(2*time.Second) || f.Timers() != 1 {
		t.Fatal("Reset of a stopped timer must re-arm it and report it was inactive")
	}
	f.Advance(1999 * time.Millisecond)
	select {
	case <-tm.C():
		t.Fatal("fired before its reset deadline")
	default:
	}
	f.Advance(time.Millisecond)
	<-tm.C()
}

func TestRealClock(t *testing.T) {
	var c Clock = Real{}
	tm := c.NewTimer(time.Millisecond)
	<-tm.C()
	if c.Since(c.Now().Add(-time.Second)) < time.Second {
		t.Error("Since went backwards")
	}
}
