// Package action sends "action URLs": one HTTP request per event, as Akuvox door stations do,
// so a building system or a script hears of a ring or an opened door without polling.
//
// Each [[action]] names the events it fires on and a URL template with $variables; the
// Dispatcher fills in the event's values (URL-escaped), sends the request with optional Basic
// or Digest credentials, and retries failures with backoff. It owns its worker goroutines
// (Dispatcher.Run); Dispatch only queues, so a dead or slow receiver never delays the door.
//
// It knows nothing of the door: internal/app turns event-log entries into Events.
package action
