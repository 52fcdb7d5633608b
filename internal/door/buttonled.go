package door

// ButtonAction is what pressing a [[button]] does.
type ButtonAction string

// Button actions.
const (
	ActionCall     ButtonAction = "call"
	ActionAnswer   ButtonAction = "answer"
	ActionHangup   ButtonAction = "hangup"
	ActionToggle   ButtonAction = "toggle" // call when idle, answer when rung, else hang up
	ActionOpen     ButtonAction = "open"
	ActionHold     ButtonAction = "hold" // toggles
	ActionTransfer ButtonAction = "transfer"
)

// LEDShow is the state a [[led]] shows.
type LEDShow string

// LED shows.
const (
	ShowRegistered LEDShow = "registered"
	ShowRinging    LEDShow = "ringing"
	ShowInCall     LEDShow = "in-call"
	ShowDoorOpen   LEDShow = "door-open"
	ShowError      LEDShow = "error"
	ShowMWI        LEDShow = "mwi"
)
