package media

import (
	"errors"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
)

// On the real clock a pacer waits on its timerfd: never less than the periods it was given,
// without allocating, and Close wakes a wait parked in the netpoller.
func TestPacerTimerFD(t *testing.T) {
	p := newPacer(clock.Real{}, 8000)
	defer p.close()
	start := time.Now()
	const periods = 5
	for range periods {
		if err := p.wait(160); err != nil {
			t.Fatal(err)
		}
	}
	if el := time.Since(start); el < periods*20*time.Millisecond-time.Millisecond {
		t.Fatalf("%d periods of 20 ms took %s", periods, el)
	}
	if p.timerFD() == nil {
		t.Fatal("the pacer did not use a timerfd on the real clock")
	}
	if !raceEnabled {
		if a := testing.AllocsPerRun(5, func() { p.wait(160) }); a != 0 {
			t.Fatalf("wait allocates %.1f times", a)
		}
	}

	q := newPacer(clock.Real{}, 8000)
	if err := q.wait(1); err != nil { // makes the timerfd
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- q.wait(8000 * 3600) }()
	q.close()
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Fatalf("wait after close: %v, want ErrClosed", err)
	}
}
