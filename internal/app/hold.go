package app

import (
	"fmt"

	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/sip"
)

// Hold puts the far end on hold and silences the door both ways at once: the held party must
// not hear the street, and nothing it sends is played. The re-INVITE (a=sendonly) goes out
// from the call's dialog goroutine (dialogops.go), so the controller does not wait for the
// phone's answer; a refusal is logged, and the door stays silent until Unhold.
func (c *call) Hold() error {
	if err := c.queueDialog(dialogOp{name: "hold", run: (*sip.Call).Hold}); err != nil {
		return fmt.Errorf("app: hold: %w", err)
	}
	c.mu.Lock()
	c.held = true
	s := c.sess
	c.mu.Unlock()
	if s != nil {
		s.SetDirection("inactive")
	}
	return nil
}

// Unhold resumes the call: the re-INVITE (a=sendrecv) goes out after any hold still pending,
// and the answer's direction applies when it comes (or the last agreed one, if it fails).
func (c *call) Unhold() error {
	c.mu.Lock()
	c.held = false
	c.mu.Unlock()
	err := c.queueDialog(dialogOp{name: "unhold", run: func(sc *sip.Call) error {
		err := sc.Unhold()
		c.updateMedia()
		return err
	}})
	if err != nil {
		return fmt.Errorf("app: unhold: %w", err)
	}
	return nil
}

// Transfer hands the far end to target (blind transfer, REFER); the far end ends this call
// once it has called target. The REFER leaves from the call's dialog goroutine after any
// hold or unhold still pending, and Transfer returns at once: the answer (202, a refusal,
// or none within the transaction's timeout) reaches the controller as a TransferResult.
func (c *call) Transfer(target string) error {
	err := c.queueDialog(dialogOp{name: "transfer",
		run: func(sc *sip.Call) error {
			err := sc.Transfer(target)
			c.p.emit(transferResult(c, target, err))
			return err
		},
		dropped: func(err error) { c.p.emit(transferResult(c, target, err)) },
	})
	if err != nil {
		return fmt.Errorf("app: transfer: %w", err)
	}
	return nil
}

// transferResult is the controller's event for the answer to a REFER: Code 202, the
// refusal's code, or 0 when none came (or the call ended first).
func transferResult(c *call, target string, err error) door.PhoneEvent {
	ev := door.PhoneEvent{Kind: door.TransferResult, Call: c, Target: target, Code: 202}
	if err != nil {
		ev.Code, ev.Reason = sip.StatusOf(err), err.Error()
	}
	return ev
}
