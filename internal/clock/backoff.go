package clock

import (
	"math/rand/v2"
	"time"
)

// Backoff yields retry delays that double from Base up to Max. With Rand set (NewBackoff sets
// it) each delay d is drawn uniformly from [d/2, d], so that a fleet of doors does not hammer
// a restarted PBX or broker in step; without it the delays are exact (a local device).
type Backoff struct {
	Base, Max time.Duration
	Rand      func() float64 // in [0, 1); nil: no jitter
	cur       time.Duration
}

// NewBackoff returns a Backoff with jitter.
func NewBackoff(base, max time.Duration) *Backoff {
	return &Backoff{Base: base, Max: max, Rand: rand.Float64}
}

// Next returns the delay before the next attempt.
func (b *Backoff) Next() time.Duration {
	if b.cur == 0 {
		b.cur = b.Base
	} else {
		b.cur = min(2*b.cur, b.Max)
	}
	if b.Rand == nil {
		return b.cur
	}
	return b.cur/2 + time.Duration(b.Rand()*float64(b.cur/2))
}

// Reset starts again from Base: the last attempt succeeded.
func (b *Backoff) Reset() { b.cur = 0 }
