package mqtt

// Lock states as the lock entity reports them: from the relay line as the board drives it,
// never assumed from a command.
const (
	Locked   = "LOCKED"
	Unlocked = "UNLOCKED" // the strike is energised
)

// State is the retained message on <prefix>/state that the lock, binary sensors and sensors
// of the discovered device read.
type State struct {
	Lock       string `json:"lock,omitempty"` // Locked or Unlocked; empty without a relay
	DoorOpen   bool   `json:"door_open"`      // the door contact reports the door open
	Tamper     bool   `json:"tamper"`
	InCall     bool   `json:"in_call"`
	Registered bool   `json:"registered"`
	CallState  string `json:"call_state"`
	LastCaller string `json:"last_caller"`
	Alarm      string `json:"alarm"`
}

// ButtonEvent is what a doorbell event entity fires.
type ButtonEvent int

// Doorbell event types.
const (
	Ring      ButtonEvent = iota + 1 // a press
	LongPress                        // held for gpio.long_press
)

func (e ButtonEvent) String() string {
	switch e {
	case Ring:
		return "ring"
	case LongPress:
		return "long_press"
	}
	return "unknown"
}
