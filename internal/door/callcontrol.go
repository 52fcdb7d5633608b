package door

import "fmt"

// Holder is implemented by a PhoneCall that can put the far end on hold and back.
type Holder interface {
	Hold() error
	Unhold() error
}

// Transferrer is implemented by a PhoneCall that can hand its far end to another party
// (blind transfer: the far end calls target, and ends this call when it has).
type Transferrer interface {
	Transfer(target string) error
}

// hold puts the call in progress on hold (on) or takes it off.
func (c *Controller) hold(on bool, by string) (string, error) {
	if c.state != InCall || c.call == nil {
		return "", fmt.Errorf("%w: %s", ErrNoCall, c.state)
	}
	h, ok := c.call.(Holder)
	if !ok {
		return "", fmt.Errorf("%w: hold", ErrUnsupported)
	}
	kind, f, word := EventHold, h.Hold, "held"
	if !on {
		kind, f, word = EventUnhold, h.Unhold, "resumed"
	}
	if err := f(); err != nil {
		return "", fmt.Errorf("door: %s: %w", kind, err)
	}
	c.held = on
	c.events.Add(kind, "peer", c.call.Remote(), "by", by)
	return word + " " + c.call.Remote(), nil
}

// transferTo asks the far end of the call in progress to call target instead.
func (c *Controller) transferTo(target, by string) (string, error) {
	if c.state != InCall || c.call == nil {
		return "", fmt.Errorf("%w: %s", ErrNoCall, c.state)
	}
	if target == "" {
		return "", ErrNoTarget
	}
	tr, ok := c.call.(Transferrer)
	if !ok {
		return "", fmt.Errorf("%w: transfer", ErrUnsupported)
	}
	// Transfer only queues the REFER: its answer arrives later as a TransferResult, so a
	// far end that never answers cannot hold the controller.
	if err := tr.Transfer(target); err != nil {
		return "", fmt.Errorf("door: transfer: %w", err)
	}
	c.events.Add(EventTransferSent, "peer", c.call.Remote(), "to", target, "by", by)
	return "transferring " + c.call.Remote() + " to " + target, nil
}

// onTransferResult records the far end's answer to our REFER. The call may have ended
// already (a transferee that accepts often hangs up before its 202 is reported).
func (c *Controller) onTransferResult(ev PhoneEvent) {
	peer := ""
	if ev.Call != nil {
		peer = ev.Call.Remote()
	}
	if ev.Code >= 200 && ev.Code < 300 {
		c.events.Add(EventTransferAccepted, "peer", peer, "to", ev.Target)
		return
	}
	c.events.Add(EventTransferFailed, "peer", peer, "to", ev.Target, "code", ev.Code, "reason", ev.Reason)
}
