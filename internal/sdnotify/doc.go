// Package sdnotify tells systemd how the intercom is doing: READY=1 once the config is loaded
// and SIP is listening, STATUS= lines with registration and call state, WATCHDOG=1 pings from
// the controller's main loop, STOPPING=1 and RELOADING=1 around shutdown and SIGHUP.
//
// It is a thin layer over github.com/coreos/go-systemd/v22/daemon so the protocol is not
// hand-written here. Every method is a no-op when NOTIFY_SOCKET is unset (run from a shell, in
// tests, under another init), so callers never need to ask whether systemd is there.
//
// The watchdog is deliberately not a free-running ticker: the controller calls Watchdog from
// its own loop, so a wedged controller stops the pings and systemd restarts the service.
// This package starts no goroutines.
package sdnotify
