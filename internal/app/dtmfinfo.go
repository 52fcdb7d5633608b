package app

import (
	"context"
	"errors"
)

// errDTMFBusy: more digits are waiting to go out by SIP INFO than a door code has.
var errDTMFBusy = errors.New("app: too many DTMF digits queued")

// infoQueueLen bounds the digits waiting to go out by INFO.
const infoQueueLen = 32

// sendINFO queues a digit for SIP INFO. The digits leave one at a time, [media]
// dtmf_duration + dtmf_gap apart, from the call's own goroutine: the controller's loop never
// waits for an INFO transaction, and a gate that needs half a second between digits gets it.
func (c *call) sendINFO(d rune) error {
	return c.info.push(c, d, infoQueueLen, errDTMFBusy, c.infoLoop)
}

func (c *call) infoLoop(ctx context.Context, q <-chan rune) {
	for {
		select {
		case <-ctx.Done():
			return
		case d := <-q:
			mc, _ := c.p.settings()
			if err := c.leg().SendDTMFDuration(d, mc.DTMFDuration); err != nil {
				c.p.log.Warn("phone: DTMF by INFO failed", "call", c.ID(), "digit", string(d), "err", err)
			}
			t := c.p.clk.NewTimer(mc.DTMFDuration + mc.DTMFGap)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C():
			}
		}
	}
}

// stopINFO ends the INFO sender, dropping digits not yet sent, and waits for it.
func (c *call) stopINFO() {
	if done := c.info.halt(c); done != nil {
		<-done
	}
}
