package app

import "time"

// AutoAnswer is what the caller's INVITE asked for (Call-Info answer-after, Alert-Info
// auto-answer); the controller decides whether to honour it.
func (c *call) AutoAnswer() (time.Duration, bool) { return c.leg().AnswerAfter() }
