package door

import "time"

// State is where the call state machine is.
type State string

// States.
const (
	Idle       State = "idle"
	Dialing    State = "dialing"     // INVITE(s) sent, no answer yet, nothing ringing
	RingingOut State = "ringing-out" // at least one target rings
	RingingIn  State = "ringing-in"  // an incoming call waits for the answer button
	InCall     State = "in-call"
	Stopped    State = "stopped" // Run has returned
)

// AccountStatus is the registration of one SIP account.
type AccountStatus struct {
	Account    string `json:"account"`
	Registered bool   `json:"registered"`
	Reason     string `json:"reason,omitempty"`
}

// Status is a snapshot of the controller for `intercom ctl status` and systemd.
type Status struct {
	State      State           `json:"state"`
	Registered bool            `json:"registered"` // every known account is registered
	Accounts   []AccountStatus `json:"accounts,omitempty"`
	Peer       string          `json:"peer,omitempty"`    // far end of the call in progress
	Ringing    []string        `json:"ringing,omitempty"` // targets being rung
	Incoming   bool            `json:"incoming,omitempty"`
	Held       bool            `json:"held,omitempty"`       // the call is on hold (ctl hold)
	Since      time.Time       `json:"since,omitzero"`       // when the call was answered
	DoorOpen   bool            `json:"door_open"`            // the relay is pulsed
	DoorAjar   bool            `json:"door_ajar,omitempty"`  // the door sensor reports the door open
	Alarm      string          `json:"alarm,omitempty"`      // door-forced | door-held-open | tamper
	LockedOut  bool            `json:"locked_out,omitempty"` // door code refused: in a call, for this caller; idle, for any caller
	Messages   bool            `json:"messages,omitempty"`   // a watched voicemail box has messages ([sip.events] mwi)
}

// Command is a request from the control socket.
type Command struct {
	Op   Op     `json:"op"`             // one the controller runs (OpRule.Controller)
	Arg  string `json:"arg,omitempty"`  // call: URI (empty: the first call button's targets); press/release: button name
	Long bool   `json:"long,omitempty"` // press: a long press
	// Via is the interface the command came through (mqtt, api) and By who sent it, as the
	// event log records them; empty: the control socket.
	Via string `json:"via,omitempty"`
	By  string `json:"by,omitempty"`
}

// Result is what a Command did.
type Result struct {
	Message string `json:"message,omitempty"`
	Status  Status `json:"status"` // after the command
	access  AccessOutcome
}
