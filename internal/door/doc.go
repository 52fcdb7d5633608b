// Package door is the intercom's controller: the one state machine that turns button presses,
// SIP call events and DTMF digits into calls, LED patterns and door openings, and writes every
// decision to the event log.
//
// It owns a single goroutine (Controller.Run) that holds all call and door state, so no lock
// guards the state machine itself; the control socket and SIGHUP reach it through Do and Apply,
// which hand requests to that goroutine.
//
// States and what moves between them:
//
//	idle        --call/toggle button, ctl call-->  dialing (serial: one target; parallel: all)
//	dialing     --180/183 from a leg-->            ringing-out
//	dialing/ringing-out --200 from a leg-->        in-call (other legs cancelled)
//	            --ring_timeout--> serial: next target; parallel: idle (all cancelled)
//	            --busy/decline of the last leg, hangup button--> idle
//	idle        --INVITE, call.incoming=button-->  ringing-in (180)
//	idle        --INVITE, call.incoming=auto-->    in-call (200)
//	            (not in call.allow_from: 403; call.incoming=reject: 603; not idle: 486)
//	ringing-in  --answer/toggle button-->          in-call
//	ringing-in  --caller cancels, hangup button--> idle
//	in-call     --BYE, hangup/toggle button, max_duration, RTP timeout--> idle
//
// The door relay is independent of the call state: the exit input, an open button, `ctl
// open` and the right DTMF code from an allowed caller pulse it. Wrong codes lock the code
// out per caller (lockout.go): doubling with each new lockout up to door.lockout_max, and for
// everyone when more than door.lockout_global callers are locked out at once, since caller
// IDs are cheap to rotate.
//
// It must not import sip, media, alsa or gpio: it declares the small Phone, PhoneCall and
// Board interfaces it needs, and internal/app adapts the real packages to them. Tests drive it
// with the fakes in door/doortest and a fake clock.
package door
