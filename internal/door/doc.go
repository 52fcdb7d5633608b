// Package door is the intercom's controller: the one state machine that turns button presses,
// SIP call events and DTMF digits into calls, LED patterns and door openings, and writes every
// decision to the event log.
//
// It owns a single goroutine (Controller.Run) that holds all call and door state, so no lock
// guards the state machine itself; the control socket and SIGHUP reach it through Do and Apply,
// which hand requests to that goroutine.
//
// It must not import sip, media, alsa or gpio: it declares the small Phone, Call and Board
// interfaces it needs, and internal/app adapts the real packages to them. Tests drive it with
// the fakes in door/doortest and a fake clock.
package door
