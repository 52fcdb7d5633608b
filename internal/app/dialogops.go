package app

import (
	"context"
	"errors"

	"github.com/doorsip/intercom/sip"
)

var (
	// errDialogBusy: more hold/unhold/transfer requests wait than a person presses keys.
	errDialogBusy = errors.New("app: too many call operations queued")
	// errDialogStopped: the call ended before a queued request went out.
	errDialogStopped = errors.New("app: call ended before the operation was sent")
)

// dialogQueueLen bounds the in-dialog operations waiting to go out.
const dialogQueueLen = 8

// dialogOp is one in-dialog request (re-INVITE for hold/unhold, REFER) to run on the call's
// own goroutine; nobody waits for it. dropped, when set, is told when the call ended before
// the request went out.
type dialogOp struct {
	name    string
	run     func(*sip.Call) error
	dropped func(error)
}

// queueDialog hands op to the call's dialog goroutine, started by the first operation. The
// requests leave one at a time and in the order asked, so a REFER never overtakes the
// unhold before it and a second re-INVITE never starts while one is pending (RFC 3261
// section 14.1); the controller's loop does not wait for their transactions (a phone that
// never answers would hold it for Timer B, 32 s).
func (c *call) queueDialog(op dialogOp) error {
	return c.dlg.push(c, op, dialogQueueLen, errDialogBusy, c.dialogLoop)
}

func (c *call) dialogLoop(ctx context.Context, q <-chan dialogOp) {
	for {
		select {
		case <-ctx.Done():
			for {
				select {
				case op := <-q:
					if op.dropped != nil {
						op.dropped(errDialogStopped)
					}
				default:
					return
				}
			}
		case op := <-q:
			err := op.run(c.leg())
			if err != nil {
				c.p.log.Warn("phone: call operation failed", "call", c.ID(), "op", op.name, "err", err)
			}
		}
	}
}

// stopDialog ends the dialog goroutine once its current request is answered; queued ones
// are dropped. It does not wait: the request in flight ends with its transaction, and the
// phone's wait group covers it.
func (c *call) stopDialog() {
	c.dlg.halt(c)
}
