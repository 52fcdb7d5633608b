package control

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/doorsip/intercom/internal/access"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/eventlog"
)

// MaxRequest is the longest request line accepted, newline included. Requests are a few dozen
// bytes; the bound keeps a confused or hostile client from making the daemon buffer forever.
const MaxRequest = 64 << 10

// Request is one line from a client.
type Request struct {
	Op     door.Op `json:"op"`               // door.Ops; its door.OpRule says what else it takes
	Arg    string  `json:"arg,omitempty"`    // call: URI; press/release: button or input name
	Text   string  `json:"text,omitempty"`   // message: the text to send
	Long   bool    `json:"long,omitempty"`   // press: long press
	Follow bool    `json:"follow,omitempty"` // events: stream new entries instead of the recent ones
	// Backlog with Follow sends the recent entries first (what `ctl events -f` shows). A
	// script that acts on events leaves it off, so it never replays an old bell press.
	Backlog bool `json:"backlog,omitempty"`
}

// Response is one line to a client. A request gets exactly one response, except events,
// which gets one {"ok":true,"event":{...}} per entry and then {"ok":true,"done":true}; with
// follow, {"ok":true,"message":"following"} once subscribed (after the backlog, if asked
// for) and then entries as they happen, until the client hangs up.
type Response struct {
	OK      bool             `json:"ok"`
	Error   string           `json:"error,omitempty"`
	Message string           `json:"message,omitempty"`
	Status  *door.Status     `json:"status,omitempty"`
	Event   *eventlog.Entry  `json:"event,omitempty"`
	Done    bool             `json:"done,omitempty"`
	Lines   map[string]bool  `json:"lines,omitempty"`             // lines: output line levels (true = active)
	Stats   *Stats           `json:"stats,omitempty"`             // stats
	Users   []access.Summary `json:"users,omitempty"`             // users: no PINs, no hashes
	HTTPS   string           `json:"https_fingerprint,omitempty"` // status: SHA-256 of the API's certificate
}

// DecodeRequest parses one request line (without or with its newline). Unknown fields and
// trailing data are errors, so a typo is reported instead of silently ignored.
func DecodeRequest(line []byte) (Request, error) {
	if len(line) > MaxRequest {
		return Request{}, ErrTooLarge
	}
	d := json.NewDecoder(bytes.NewReader(line))
	d.DisallowUnknownFields()
	var r Request
	if err := d.Decode(&r); err != nil {
		return Request{}, fmt.Errorf("%w: %v", ErrBadRequest, err)
	}
	if _, err := d.Token(); err != io.EOF {
		return Request{}, fmt.Errorf("%w: more than one JSON value on the line", ErrBadRequest)
	}
	rule, ok := r.Op.Rule()
	if !ok {
		return Request{}, fmt.Errorf("%w: unknown op %q", ErrBadRequest, r.Op)
	}
	if r.Backlog && !r.Follow {
		return Request{}, fmt.Errorf("%w: backlog is for follow (events without follow always send it)", ErrBadRequest)
	}
	if rule.Text != (r.Text != "") {
		return Request{}, fmt.Errorf("%w: text is for message, which needs one", ErrBadRequest)
	}
	if rule.Arg == door.ArgRequired && r.Arg == "" {
		return Request{}, fmt.Errorf("%w: %s needs arg (a %s)", ErrBadRequest, r.Op, rule.ArgName)
	}
	return r, nil
}
