package httpapi

import (
	"context"
	"time"
)

// Op is what a Command asks the door to do.
type Op int

// Commands.
const (
	SwitchOn      Op = iota + 1 // energise the door relay for the configured time (2N: action=on)
	SwitchOff                   // 2N: action=off; the relay releases by itself, so this only reports
	SwitchTrigger               // 2N: action=trigger; same as on for a monostable switch
	Dial                        // call Arg, a SIP URI
	Answer                      // answer the ringing incoming call
	Hangup                      // end the call
)

func (o Op) String() string {
	switch o {
	case SwitchOn:
		return "switch-on"
	case SwitchOff:
		return "switch-off"
	case SwitchTrigger:
		return "switch-trigger"
	case Dial:
		return "dial"
	case Answer:
		return "answer"
	case Hangup:
		return "hangup"
	}
	return "unknown"
}

// Command is a request for the door, with the API user who sent it.
type Command struct {
	Op   Op
	Arg  string
	User string
}

// Port is an input or output line.
type Port struct {
	Name   string
	Output bool
	Active bool
}

// Account is a SIP registration.
type Account struct {
	Name       string
	Registered bool
}

// Status is what the status paths report.
type Status struct {
	DeviceName string
	SWVersion  string
	Started    time.Time
	// Call is the call state (idle, dialing, ringing-out, ringing-in, in-call); Peer and
	// Incoming describe the call in progress.
	Call     string
	Peer     string
	Incoming bool
	Relay    bool          // the unit has a door relay (2N switch 1)
	RelayOn  bool          // it is energised now
	OpenFor  time.Duration // how long a pulse lasts
	Ports    []Port
	Accounts []Account
}

// Event is one entry of the 2N log: a 2N event name and its parameters.
type Event struct {
	Time   time.Time
	Name   string
	Params map[string]any
}

// Backend is the door as the API sees it; internal/app implements it.
type Backend interface {
	Status() Status
	// Do carries out cmd; ctx ends with the request.
	Do(ctx context.Context, cmd Command) error
	// Subscribe streams events from now on; the func ends the stream.
	Subscribe() (<-chan Event, func())
}
