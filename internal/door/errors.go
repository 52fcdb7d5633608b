package door

import "errors"

var (
	// ErrBusy is a request to call while a call is already ringing or up.
	ErrBusy = errors.New("door: busy")
	// ErrNoCall is answer or hangup with no call in a state that allows it.
	ErrNoCall = errors.New("door: no call")
	// ErrNoRelay is open on a unit without a door relay and no call to send the code to.
	ErrNoRelay = errors.New("door: no relay and no call")
	// ErrUnknownOp is a Command the controller does not know.
	ErrUnknownOp = errors.New("door: unknown command")
	// ErrUnknownButton names a button that is not in the config.
	ErrUnknownButton = errors.New("door: unknown button")
	// ErrNoTarget is a call command with no URI and no call button to take targets from.
	ErrNoTarget = errors.New("door: no call target")
	// ErrNotRunning is returned by Do when Run has ended or was never started.
	ErrNotRunning = errors.New("door: controller not running")
	// ErrRunning is a second call of Run.
	ErrRunning = errors.New("door: controller already running")
	// ErrUnknownRelay names a relay that is neither the door's nor a [[relay]].
	ErrUnknownRelay = errors.New("door: unknown relay")
	// ErrDenied is a keypad PIN or card that opens nothing now.
	ErrDenied = errors.New("door: access denied")
	// ErrLockedOut is an attempt from a keypad or reader locked out after wrong attempts.
	ErrLockedOut = errors.New("door: keypad or reader locked out")
	// ErrUnsupported is an operation the call's phone cannot do (hold, transfer).
	ErrUnsupported = errors.New("door: not supported by this call")
	// ErrPanic is returned by Run after it recovered a panic and made the hardware safe.
	ErrPanic = errors.New("door: controller panic")
)
