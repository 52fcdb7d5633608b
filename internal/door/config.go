package door

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/doorsip/intercom/internal/cfgerr"
)

// Config is what the controller decides with: button actions, LED meanings, the door and
// call policy. Line numbers and polarity are gpio's; URIs are checked by the caller (config/)
// with sip.ParseURI so this package need not import sip.
type Config struct {
	Buttons []Button // [[button]], same order as gpio.Config.Buttons
	LEDs    []LED    // [[led]], same order as gpio.Config.LEDs
	Relays  []Relay  // [[relay]]: relays besides the door's
	Door    Door
	Call    Call
	Events  EventLog
	Control Control
}

// Button is what pressing a [[button]] does.
type Button struct {
	Name        string
	Action      ButtonAction // transfer: to Call[0]
	Call        []string     // targets for action call/toggle; several = ring group
	RingMode    string       // serial | parallel
	RingTimeout time.Duration
}

// LED is what a [[led]] shows.
type LED struct {
	Name string
	Show LEDShow
	// Pattern is what the LED does while Show holds (a LEDPattern name); empty: the
	// default for Show (DefaultLEDPattern).
	Pattern string
}

// Door is [door].
type Door struct {
	HasRelay bool // relay_line set
	OpenFor  time.Duration
	DTMFCode string
	Allowed  []string // callers whose DTMF may open the door; empty = any caller in a call
	// MaxAttempts wrong codes from one caller (counted across calls until the right code or
	// a lockout, so hanging up and calling again buys no fresh guesses) lock the code out for
	// the rest of that call, and for that caller's calls during LockoutFor after it (0 = that
	// call only). Callers are told apart by URI, user@host as the allow lists compare them,
	// so one hostile caller does not lock out the others.
	MaxAttempts int
	LockoutFor  time.Duration
	// LockoutMax caps the escalation: each new lockout of a caller doubles the last one
	// (LockoutFor, 2x, 4x ...) until the caller goes LockoutReset without a wrong code.
	LockoutMax   time.Duration
	LockoutReset time.Duration
	// LockoutGlobal is the backstop against rotating caller IDs (the From of a call is the
	// caller's to choose): when more than this many distinct callers are locked out within
	// LockoutFor, the code is refused for everyone for LockoutFor. 0 = no backstop.
	LockoutGlobal int
	// ExitButton is the name of an [[input]] that opens the door without a call.
	ExitButton string
	// Sensor is the name of an [[input]] that is active while the door stands open. Opening
	// without the relay is logged as door-forced; open longer than HeldOpen as door-held-open.
	Sensor   string
	HeldOpen time.Duration // 0 = no held-open alarm
	// Tamper is the name of an [[input]] that is active while the housing is open.
	Tamper string
}

// Call is [call].
type Call struct {
	Incoming    string   // auto | button | reject
	AllowFrom   []string // empty = anyone may call in
	MaxDuration time.Duration
	// WarnBefore plays a short tone this long before MaxDuration ends the call.
	WarnBefore time.Duration
	// RingTimeout ends an incoming call nobody answers (incoming = "button") with 480;
	// 0 rings until the caller gives up.
	RingTimeout time.Duration
	// AutoAnswer honours a caller's request to be answered without anyone at the door
	// (intercom paging), only for callers listed in AllowFrom.
	AutoAnswer bool
}

// EventLog is the event part of [log].
type EventLog struct {
	Path    string // JSON lines; empty = no event log
	MaxSize int64  // bytes before rotation
}

// Control is [control].
type Control struct {
	Socket string // unix socket path; empty = no control socket
}

// Defaults returns the Config used for keys the file leaves out.
func Defaults() Config {
	return Config{
		Door: Door{OpenFor: 3 * time.Second, DTMFCode: "#1", MaxAttempts: 5, LockoutFor: 5 * time.Minute,
			LockoutMax: time.Hour, LockoutReset: 24 * time.Hour, LockoutGlobal: 3},
		Call:   Call{Incoming: "auto", MaxDuration: 3 * time.Minute, WarnBefore: 10 * time.Second, RingTimeout: time.Minute},
		Events: EventLog{MaxSize: 1 << 20},
	}
}

// ButtonDefaults returns what a [[button]] gets for keys it leaves out.
func ButtonDefaults() Button {
	return Button{Action: ActionCall, RingMode: "serial", RingTimeout: 20 * time.Second}
}

// Validate reports every problem in c, joined. Keys are relative to the file's top level.
func (c Config) Validate() error {
	var errs []error
	buttons := map[string]bool{}
	for i, b := range c.Buttons {
		key := fmt.Sprintf("button[%d].", i)
		// Buttons are found by name (GPIO events, `intercom ctl press`): a duplicate would
		// make the second one dead.
		switch {
		case b.Name == "":
			errs = append(errs, cfgerr.New(key+"name", "empty: every button needs a name"))
		case buttons[b.Name]:
			errs = append(errs, cfgerr.New(key+"name", "%q is used by an earlier button", b.Name))
		}
		buttons[b.Name] = true
		switch b.Action {
		case ActionCall, ActionToggle, ActionTransfer:
			if len(b.Call) == 0 {
				errs = append(errs, cfgerr.New(key+"call", "empty: action %q needs at least one target URI", b.Action))
			}
		case ActionAnswer, ActionHangup, ActionOpen, ActionHold:
		default:
			errs = append(errs, cfgerr.New(key+"action", "%q is not one of call, answer, hangup, toggle, open, hold, transfer", b.Action))
		}
		switch b.RingMode {
		case "serial", "parallel":
		default:
			errs = append(errs, cfgerr.New(key+"ring_mode", "%q is not one of serial, parallel", b.RingMode))
		}
		if b.RingTimeout < time.Second || b.RingTimeout > 5*time.Minute {
			errs = append(errs, cfgerr.New(key+"ring_timeout", "%s is out of range (expected 1s to 5m)", b.RingTimeout))
		}
	}
	leds := map[string]bool{}
	for i, l := range c.LEDs {
		switch {
		case l.Name == "":
			errs = append(errs, cfgerr.New(fmt.Sprintf("led[%d].name", i), "empty: every LED needs a name"))
		case leds[l.Name]:
			errs = append(errs, cfgerr.New(fmt.Sprintf("led[%d].name", i), "%q is used by an earlier LED", l.Name))
		}
		leds[l.Name] = true
		switch l.Show {
		case ShowRegistered, ShowRinging, ShowInCall, ShowDoorOpen, ShowError, ShowMWI:
		default:
			errs = append(errs, cfgerr.New(fmt.Sprintf("led[%d].show", i), "%q is not one of registered, ringing, in-call, door-open, error, mwi", l.Show))
		}
		if _, ok := ParseLEDPattern(l.Pattern); l.Pattern != "" && !ok {
			errs = append(errs, cfgerr.New(fmt.Sprintf("led[%d].pattern", i), "%q is not one of off, on, slow-blink, fast-blink, blip, double-blip", l.Pattern))
		}
	}
	if c.Door.OpenFor < 100*time.Millisecond || c.Door.OpenFor > time.Minute {
		errs = append(errs, cfgerr.New("door.open_for", "%s is out of range (expected 100ms to 1m)", c.Door.OpenFor))
	}
	if c.Door.DTMFCode != "" && strings.Trim(c.Door.DTMFCode, "0123456789*#ABCD") != "" {
		errs = append(errs, cfgerr.New("door.dtmf_code", "%q has characters that are not DTMF digits (expected 0-9, *, #, A-D)", c.Door.DTMFCode))
	}
	if c.Door.MaxAttempts < 1 {
		errs = append(errs, cfgerr.New("door.max_attempts", "%d is too small (expected at least 1)", c.Door.MaxAttempts))
	}
	// Each key is compared with the one before only when that one is valid, so one mistake
	// is reported once, at its own key.
	forOK := c.Door.LockoutFor >= 0 && c.Door.LockoutFor <= 24*time.Hour
	if !forOK {
		errs = append(errs, cfgerr.New("door.lockout_for", "%s is out of range (expected 0 to 24h)", c.Door.LockoutFor))
	}
	maxOK := c.Door.LockoutMax >= 0 && c.Door.LockoutMax <= 7*24*time.Hour && (!forOK || c.Door.LockoutMax >= c.Door.LockoutFor)
	if !maxOK {
		errs = append(errs, cfgerr.New("door.lockout_max", "%s is out of range (expected door.lockout_for %s to 168h)", c.Door.LockoutMax, c.Door.LockoutFor))
	}
	// A reset shorter than the longest lockout would forget the streak while the caller is
	// still locked out (refused codes do not count as wrong), and escalation would never
	// reach the cap.
	if c.Door.LockoutReset < 0 || c.Door.LockoutReset > 30*24*time.Hour || maxOK && c.Door.LockoutReset < c.Door.LockoutMax {
		errs = append(errs, cfgerr.New("door.lockout_reset", "%s is out of range (expected door.lockout_max %s to 720h)", c.Door.LockoutReset, c.Door.LockoutMax))
	}
	if c.Door.LockoutGlobal < 0 || c.Door.LockoutGlobal >= maxCallers {
		errs = append(errs, cfgerr.New("door.lockout_global", "%d is out of range (expected 0 = off to %d)", c.Door.LockoutGlobal, maxCallers-1))
	}
	switch c.Call.Incoming {
	case "auto", "button", "reject":
	default:
		errs = append(errs, cfgerr.New("call.incoming", "%q is not one of auto, button, reject", c.Call.Incoming))
	}
	if c.Call.MaxDuration < 0 {
		errs = append(errs, cfgerr.New("call.max_duration", "must not be negative (0 = no limit)"))
	}
	if c.Call.RingTimeout < 0 || c.Call.RingTimeout > time.Hour {
		errs = append(errs, cfgerr.New("call.ring_timeout", "%s is out of range (expected 0 = none, up to 1h)", c.Call.RingTimeout))
	}
	if c.Call.WarnBefore < 0 {
		errs = append(errs, cfgerr.New("call.warn_before", "must not be negative"))
	}
	if c.Call.MaxDuration > 0 && c.Call.WarnBefore >= c.Call.MaxDuration {
		errs = append(errs, cfgerr.New("call.warn_before", "%s is not shorter than call.max_duration %s", c.Call.WarnBefore, c.Call.MaxDuration))
	}
	for i, u := range c.Call.AllowFrom {
		if uriKey(u) == "" {
			errs = append(errs, cfgerr.New(fmt.Sprintf("call.allow_from[%d]", i), "%q names no user or host", u))
		}
	}
	for i, u := range c.Door.Allowed {
		if uriKey(u) == "" {
			errs = append(errs, cfgerr.New(fmt.Sprintf("door.allowed[%d]", i), "%q names no user or host", u))
		}
	}
	inputs := map[string]string{}
	for _, in := range []struct{ key, name string }{
		{"door.exit_button", c.Door.ExitButton}, {"door.sensor", c.Door.Sensor}, {"door.tamper", c.Door.Tamper},
	} {
		switch {
		case in.name == "":
		case buttons[in.name]:
			errs = append(errs, cfgerr.New(in.key, "%q is a call button; it must be an [[input]] of its own", in.name))
		case inputs[in.name] != "":
			errs = append(errs, cfgerr.New(in.key, "%q is already %s", in.name, inputs[in.name]))
		default:
			inputs[in.name] = in.key
		}
	}
	if c.Door.HeldOpen < 0 || c.Door.HeldOpen > 0 && c.Door.HeldOpen < c.Door.OpenFor {
		errs = append(errs, cfgerr.New("door.held_open", "%s is out of range (expected 0 = off, or at least door.open_for %s)", c.Door.HeldOpen, c.Door.OpenFor))
	}
	if c.Events.MaxSize < 4096 {
		errs = append(errs, cfgerr.New("log.events_max_size", "%d is too small (expected at least 4096 bytes)", c.Events.MaxSize))
	}
	errs = append(errs, c.validateRelays()...)
	return errors.Join(errs...)
}

// codeMatches compares a DTMF code in constant time, so timing does not leak how many
// leading digits were right.
func codeMatches(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
