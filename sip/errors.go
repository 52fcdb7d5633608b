package sip

import "errors"

var (
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
	// ErrAuth is returned when a registrar or proxy keeps rejecting our credentials.
	ErrAuth = errors.New("sip: authentication failed")
	// ErrBadSummary means a message-summary body (RFC 3842) could not be read.
	ErrBadSummary = errors.New("sip: bad message-summary")
)
