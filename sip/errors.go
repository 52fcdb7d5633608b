package sip

import (
	"errors"
	"fmt"
)

var (
	// ErrPEMFile is a TLS certificate, key or CA file that is not a regular file or is
	// too large to be one.
	ErrPEMFile = errors.New("sip: tls file")
	// ErrClosed is returned by operations on a UA whose Run has returned.
	ErrClosed = errors.New("sip: user agent closed")
	// ErrNotRunning is returned by Dial before Run has started listening.
	ErrNotRunning = errors.New("sip: user agent not running")
	// ErrBadTarget is returned when a dial target is not a SIP URI.
	ErrBadTarget = errors.New("sip: bad target URI")
	// ErrCallState is returned when a call operation does not fit the call's state
	// (Answer on an outgoing call, Hold before the call is up, ...).
	ErrCallState = errors.New("sip: operation not valid in this call state")
	// ErrNoCodec means the offer and our codec list have nothing in common (488).
	ErrNoCodec = errors.New("sip: no common codec")
	// ErrBadSDP means a session description could not be parsed or has no usable audio stream.
	ErrBadSDP = errors.New("sip: bad session description")
	// ErrNoAnswer means the ACK to a late-offer call's 200 (our offer) carried no SDP answer.
	ErrNoAnswer = errors.New("sip: no SDP answer in ACK")
	// ErrBadDigit is returned by SendDTMF for a rune that is not 0-9, *, #, A-D.
	ErrBadDigit = errors.New("sip: not a DTMF digit")
	// ErrRejected wraps a final non-2xx response to one of our in-dialog requests.
	ErrRejected = errors.New("sip: request rejected")
	// errTxEnded: a transaction of ours ended without a final response and without an error.
	errTxEnded = errors.New("sip: transaction ended without a final response")
	// ErrAuth is returned when a registrar or proxy keeps rejecting our credentials.
	ErrAuth = errors.New("sip: authentication failed")
	// ErrBadSummary means a message-summary body (RFC 3842) could not be read.
	ErrBadSummary = errors.New("sip: bad message-summary")
)

// StatusError is a final non-2xx response to one of our in-dialog requests; it wraps
// ErrRejected.
type StatusError struct {
	Method string
	Code   int
	Reason string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%v: %s: %d %s", ErrRejected, e.Method, e.Code, e.Reason)
}

func (e *StatusError) Unwrap() error { return ErrRejected }

// StatusOf is the response code err carries (a StatusError), or 0 (no answer, or not a
// SIP refusal).
func StatusOf(err error) int {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}
