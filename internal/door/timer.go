package door

import (
	"time"

	"github.com/doorsip/intercom/internal/clock"
)

// timer is an optional one-shot clock.Timer: a nil channel while disarmed, so the loop's
// select simply never picks it. Re-arming makes a new timer rather than Reset, so a value a
// stopped timer already delivered cannot fire a later deadline early.
type timer struct{ t clock.Timer }

func (t *timer) arm(clk clock.Clock, d time.Duration) {
	t.stop()
	t.t = clk.NewTimer(d)
}

func (t *timer) stop() {
	if t.t != nil {
		t.t.Stop()
		t.t = nil
	}
}

// fired marks the timer disarmed after its value was received.
func (t *timer) fired() { t.t = nil }

func (t *timer) C() <-chan time.Time {
	if t.t == nil {
		return nil
	}
	return t.t.C()
}
