package mqtt

import (
	"math/rand/v2"
	"time"
)

// backoff yields reconnect delays that double from base up to max, each drawn from [d/2, d]
// so that the doors of a building do not reconnect to a restarted broker in step.
type backoff struct {
	base, max time.Duration
	cur       time.Duration
	rnd       func() float64
}

func newBackoff(base, max time.Duration) *backoff {
	return &backoff{base: base, max: max, rnd: rand.Float64}
}

func (b *backoff) next() time.Duration {
	if b.cur == 0 {
		b.cur = b.base
	} else {
		b.cur = min(2*b.cur, b.max)
	}
	return b.cur/2 + time.Duration(b.rnd()*float64(b.cur/2))
}

func (b *backoff) reset() { b.cur = 0 }
