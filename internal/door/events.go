package door

import "github.com/doorsip/intercom/internal/eventlog"

// Event-log kinds the controller writes. Their strings are what the log file, `intercom ctl
// events`, MQTT and the HTTP API show, so they never change.
const (
	// The controller's life
	EventStarted        eventlog.Kind = "started"
	EventStopped        eventlog.Kind = "stopped"
	EventConfigReloaded eventlog.Kind = "config-reloaded"
	EventPanic          eventlog.Kind = "panic"
	EventRegistration   eventlog.Kind = "registration"
	EventMessageWaiting eventlog.Kind = "message-waiting"
	EventInput          eventlog.Kind = "input"

	// Calls
	EventCalling            eventlog.Kind = "calling"
	EventRinging            eventlog.Kind = "ringing"
	EventRingGroup          eventlog.Kind = "ring-group"
	EventAnswered           eventlog.Kind = "answered"
	EventAnswerFailed       eventlog.Kind = "answer-failed"
	EventCallEnded          eventlog.Kind = "call-ended"
	EventCallFailed         eventlog.Kind = "call-failed"
	EventCancelled          eventlog.Kind = "cancelled"
	EventNoAnswer           eventlog.Kind = "no-answer"
	EventIncoming           eventlog.Kind = "incoming"
	EventIncomingCancelled  eventlog.Kind = "incoming-cancelled"
	EventIncomingRejected   eventlog.Kind = "incoming-rejected"
	EventTransferred        eventlog.Kind = "transferred"
	EventMaxDurationWarning eventlog.Kind = "max-duration-warning"
	EventMaxDuration        eventlog.Kind = "max-duration"
	EventMediaTimeout       eventlog.Kind = "media-timeout"
	EventHold               eventlog.Kind = "hold"
	EventUnhold             eventlog.Kind = "unhold"
	EventTransferSent       eventlog.Kind = "transfer-sent"
	EventTransferAccepted   eventlog.Kind = "transfer-accepted"
	EventTransferFailed     eventlog.Kind = "transfer-failed"

	// The door and relays
	EventDoorOpen      eventlog.Kind = "door-open"
	EventDoorOpened    eventlog.Kind = "door-opened"
	EventDoorReleased  eventlog.Kind = "door-released"
	EventDoorClosed    eventlog.Kind = "door-closed"
	EventDoorError     eventlog.Kind = "door-error"
	EventRelayOpen     eventlog.Kind = "relay-open"
	EventDoorForced    eventlog.Kind = "door-forced"
	EventDoorHeldOpen  eventlog.Kind = "door-held-open"
	EventTamper        eventlog.Kind = "tamper"
	EventTamperCleared eventlog.Kind = "tamper-cleared"

	// Door codes, cards and PINs
	EventDoorCodeWrong      eventlog.Kind = "door-code-wrong"
	EventDoorCodeLockout    eventlog.Kind = "door-code-lockout"
	EventDoorCodeRefused    eventlog.Kind = "door-code-refused"
	EventDoorCodeUnlocked   eventlog.Kind = "door-code-unlocked"
	EventDoorCodeSent       eventlog.Kind = "door-code-sent"
	EventDoorCodeSendFailed eventlog.Kind = "door-code-send-failed"
	EventAccessGranted      eventlog.Kind = "access-granted"
	EventAccessDenied       eventlog.Kind = "access-denied"
	EventAccessLockout      eventlog.Kind = "access-lockout"
	EventAccessRefused      eventlog.Kind = "access-refused"
)
