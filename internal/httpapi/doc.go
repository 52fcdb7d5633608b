// Package httpapi serves a subset of the 2N door-station HTTP API over TLS, so that tools
// written for 2N units (py2n, the 2n-doorman Home Assistant integration, building management
// scripts) drive the intercom unchanged: the same paths under /api/, the same
// {"success": ..., "result"|"error": ...} bodies, the same event names in the log long poll.
//
// It owns the listener and its connections, the users and their privileges, HTTP Digest
// (RFC 7616, MD5 and SHA-256) and Basic authentication, the per-source lockout after failed
// logins, and the log subscriptions. Server.Run starts and stops all of it.
//
// It knows nothing of SIP, GPIO or the door controller: it asks a Backend for the status and
// hands it typed Commands; internal/app implements the Backend and turns event-log entries
// into 2N-named Events. Nothing here waits on the controller for longer than a request's
// own deadline, and a slow or hostile client never holds anything the door needs.
package httpapi
