package door

import (
	"fmt"
	"time"
)

// onInput handles a button or input edge from the board.
func (c *Controller) onInput(ev InputEvent, via string) {
	if _, err := c.input(ev, via); err != nil {
		c.logger.Info("door: input ignored", "input", ev.Name, "edge", ev.Kind.String(), "state", string(c.state), "err", err)
	}
}

// input logs an edge and acts on it. Button actions fire on press; release and long press
// are logged only. The door sensor and tamper inputs act on both edges.
func (c *Controller) input(ev InputEvent, via string) (string, error) {
	d := c.cfg.Door
	_, isButton := c.button(ev.Name)
	known := ev.Name != "" && (isButton || ev.Name == d.ExitButton || ev.Name == d.Sensor || ev.Name == d.Tamper)
	// Every edge the board reports is logged, even of a line the config gives no role: it
	// may be wiring worth knowing about. A typo over the control socket is just an error.
	if !known && via != "gpio" {
		return "", fmt.Errorf("%w: %q", ErrUnknownButton, ev.Name)
	}
	c.events.Add(EventInput, "name", ev.Name, "edge", ev.Kind.String(), "via", via)
	if !known {
		return "", fmt.Errorf("%w: %q", ErrUnknownButton, ev.Name)
	}
	switch ev.Name {
	case d.Sensor:
		c.onSensor(ev.Kind)
		return "", nil
	case d.Tamper:
		c.onTamper(ev.Kind)
		return "", nil
	}
	if ev.Kind != Press {
		return "", nil
	}
	by := "button " + ev.Name
	if via != "gpio" {
		by += " (" + via + ")"
	}
	return c.press(ev.Name, by)
}

// press runs what the named button or exit input is configured to do.
func (c *Controller) press(name, by string) (string, error) {
	if name != "" && name == c.cfg.Door.ExitButton {
		return "door opened", c.openDoor(by, "exit-button")
	}
	b, ok := c.button(name)
	if !ok {
		return "", fmt.Errorf("%w: %q", ErrUnknownButton, name)
	}
	switch b.Action {
	case ActionCall:
		return c.callGroup(b.Call, b.RingMode, b.RingTimeout, by)
	case ActionAnswer:
		return c.answerRinging()
	case ActionHangup:
		return c.hangup()
	case ActionToggle:
		switch c.state {
		case Idle:
			return c.callGroup(b.Call, b.RingMode, b.RingTimeout, by)
		case RingingIn:
			return c.answerRinging()
		default:
			return c.hangup()
		}
	case ActionOpen:
		return c.open(by, "button")
	case ActionHold:
		return c.hold(!c.held, by) // one button toggles
	case ActionTransfer:
		return c.transferTo(b.Call[0], by)
	}
	return "", fmt.Errorf("%w: action %q", ErrUnknownOp, b.Action)
}

func (c *Controller) button(name string) (Button, bool) {
	for _, b := range c.cfg.Buttons {
		if b.Name == name {
			return b, true
		}
	}
	return Button{}, false
}

func (c *Controller) callGroup(targets []string, mode string, timeout time.Duration, by string) (string, error) {
	if c.state != Idle {
		return "", fmt.Errorf("%w: %s", ErrBusy, c.state)
	}
	if len(targets) == 0 {
		return "", ErrNoTarget
	}
	c.startGroup(targets, mode, timeout, by)
	if c.group == nil {
		return "", fmt.Errorf("door: every target failed")
	}
	return fmt.Sprintf("calling %v", targets), nil
}

func (c *Controller) answerRinging() (string, error) {
	if c.state != RingingIn {
		return "", fmt.Errorf("%w: nothing ringing (%s)", ErrNoCall, c.state)
	}
	c.answer(c.call)
	if c.state != InCall {
		return "", fmt.Errorf("door: answer failed")
	}
	return "answered " + c.call.Remote(), nil
}

func (c *Controller) hangup() (string, error) {
	state := c.state
	if !c.hangupAll("local hangup") {
		return "", fmt.Errorf("%w: %s", ErrNoCall, state)
	}
	return fmt.Sprintf("hung up (%s)", state), nil
}

// open is the open button: the relay when this unit has one (door station), else the DTMF
// code to the far end of the call (indoor unit).
func (c *Controller) open(by, via string) (string, error) {
	if c.cfg.Door.HasRelay {
		if err := c.openDoor(by, via); err != nil {
			return "", err
		}
		return "door opened", nil
	}
	if c.state != InCall || c.cfg.Door.DTMFCode == "" {
		return "", ErrNoRelay
	}
	if err := c.sendCode(); err != nil {
		return "", err
	}
	return "door code sent to " + c.call.Remote(), nil
}

// do runs a control-socket command on the loop goroutine.
func (c *Controller) do(cmd Command) (Result, error) {
	var msg string
	var err error
	via, by := cmd.Via, cmd.By
	if via == "" {
		via = "control"
	}
	if by == "" {
		by = via
	}
	switch cmd.Op {
	case OpStatus:
	case OpCall:
		targets := []string{cmd.Arg}
		b := ButtonDefaults()
		if cmd.Arg == "" {
			targets = nil
			for _, bb := range c.cfg.Buttons {
				if bb.Action == ActionCall || bb.Action == ActionToggle {
					targets, b = bb.Call, bb
					break
				}
			}
		}
		msg, err = c.callGroup(targets, b.RingMode, b.RingTimeout, by)
	case OpAnswer:
		msg, err = c.answerRinging()
	case OpHangup:
		msg, err = c.hangup()
	case OpHold, OpUnhold:
		msg, err = c.hold(cmd.Op == OpHold, by)
	case OpTransfer:
		msg, err = c.transferTo(cmd.Arg, by)
	case OpOpen:
		if cmd.Arg != "" && cmd.Arg != RelayDoor {
			// `intercom ctl open gate`: a [[relay]].
			if err = c.openRelay(cmd.Arg, by, via); err == nil {
				msg = cmd.Arg + " opened"
			}
			break
		}
		msg, err = c.open(by, via)
	case OpPress, OpRelease:
		// The same path as a GPIO edge, so `ctl press` exercises exactly what a button does
		// (and drives a "sim" board).
		kind := Release
		if cmd.Op == OpPress {
			kind = Press
			if cmd.Long {
				kind = LongPress
			}
		}
		msg, err = c.input(InputEvent{Name: cmd.Arg, Kind: kind}, via)
	default:
		return Result{}, fmt.Errorf("%w: %q", ErrUnknownOp, cmd.Op)
	}
	return Result{Message: msg}, err
}
