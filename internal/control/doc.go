// Package control is the intercom's local scripting API: a unix socket (mode 0600) that speaks
// JSON lines, one request object per line and one response object per line, so that
// `intercom ctl`, shell scripts and a few lines of Python can drive the door controller.
// See README.md for the protocol.
//
// It owns the accept loop and one goroutine per client (plus one more while a client follows
// the event stream); Run stops them all. It knows the controller only through Handler.
package control
