package sip

import (
	"fmt"
	"strings"
)

// DoorActivity is what the door is doing, as subscribers see it.
type DoorActivity int

const (
	// DoorIdle: no call.
	DoorIdle DoorActivity = iota
	// DoorDialing: the door called out and nothing rings yet (dialog state trying).
	DoorDialing
	// DoorRingingOut: a phone rings for the door's call (early, the door initiated it).
	DoorRingingOut
	// DoorRingingIn: a call to the door waits for an answer (early, the door receives it).
	DoorRingingIn
	// DoorInCall: a call is up (confirmed).
	DoorInCall
	// DoorOffline: the door's controller has stopped (presence closed).
	DoorOffline
)

func (a DoorActivity) String() string {
	switch a {
	case DoorIdle:
		return "idle"
	case DoorDialing:
		return "dialing"
	case DoorRingingOut, DoorRingingIn:
		return "ringing"
	case DoorInCall:
		return "in call"
	case DoorOffline:
		return "offline"
	}
	return fmt.Sprintf("activity(%d)", int(a))
}

// DoorState is the door's state as the event packages publish it. It is comparable: an
// unchanged state sends nothing.
type DoorState struct {
	Activity DoorActivity
	// CallID names the call in dialog-info; the same for one call from dialing to hang-up.
	// After a call, the idle state keeps the ended call's ID so the next NOTIFY reports its
	// dialog terminated.
	CallID string
	// Remote is the far end's URI (sent only with ExposeRemote).
	Remote string
	// Incoming: the call came to the door (dialog direction recipient).
	Incoming bool
	// DoorOpen: the relay is energised.
	DoorOpen bool
	// Alarm is a door alarm in progress ("door-forced", "door-held-open", "tamper").
	Alarm string
}

// note is the PIDF <note>: what the door does, then the door and alarm states.
func (s DoorState) note() string {
	parts := []string{s.Activity.String()}
	if s.DoorOpen {
		parts = append(parts, "door open")
	}
	if s.Alarm != "" {
		parts = append(parts, "alarm "+s.Alarm)
	}
	return strings.Join(parts, ", ")
}

// dialogState is the RFC 4235 state of the door's dialog, "" when there is none.
func (s DoorState) dialogState() string {
	switch s.Activity {
	case DoorDialing:
		return "trying"
	case DoorRingingOut, DoorRingingIn:
		return "early"
	case DoorInCall:
		return "confirmed"
	}
	if s.CallID != "" {
		return "terminated"
	}
	return ""
}

// SetDoorState hands the door's state to the notifier (and the publisher). It never
// blocks: NOTIFYs go out from their own goroutines, one transaction at a time per
// subscription, the newest state winning.
func (u *UA) SetDoorState(s DoorState) {
	u.notif.setState(s)
	if u.pub != nil {
		u.pub.setState(s)
	}
}
