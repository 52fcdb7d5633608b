package app

import "github.com/doorsip/intercom/internal/eventlog"

// Event-log kinds the wiring writes itself (the controller's are in internal/door).
const (
	EventIncomingForged    eventlog.Kind = "incoming-forged"
	EventReaderMisread     eventlog.Kind = "reader-misread"
	EventUsersReloadFailed eventlog.Kind = "users-reload-failed"
	EventUsersReloaded     eventlog.Kind = "users-reloaded"
	EventMessageReceived   eventlog.Kind = "message-received"
	EventMessageSent       eventlog.Kind = "message-sent"
)
