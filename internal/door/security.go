package door

import "github.com/doorsip/intercom/internal/eventlog"

// SecurityKinds are the event-log kinds an installer must be able to find after an incident:
// the door opening (by code, card, button or relay), code and card attempts and lockouts,
// tamper and door alarms. The event log keeps them in a file of their own, so a flood of
// refused calls cannot rotate them out.
func SecurityKinds() []eventlog.Kind {
	return []eventlog.Kind{
		EventDoorOpen, EventRelayOpen, EventDoorOpened, EventDoorForced, EventDoorHeldOpen,
		EventDoorCodeWrong, EventDoorCodeLockout, EventDoorCodeRefused, EventDoorCodeUnlocked,
		EventAccessGranted, EventAccessDenied, EventAccessLockout, EventAccessRefused, EventTamper,
		EventTamperCleared, EventPanic,
	}
}
