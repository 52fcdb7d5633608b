package sip

import (
	"fmt"
	"time"
)

// EventKind says what an Event reports.
type EventKind int

const (
	// IncomingCall: a new INVITE; the controller answers with Ring, Answer or Reject.
	IncomingCall EventKind = iota + 1
	// Ringing: the far end sent 180 (outgoing calls).
	Ringing
	// EarlyMedia: the far end sent 183 with SDP; Call.Negotiated is valid.
	EarlyMedia
	// Answered: the call is established; Call.Negotiated is valid.
	Answered
	// Ended: the call is over; Code and Reason say why (a SIP status, or 0 for a BYE).
	Ended
	// DTMF: a digit arrived in a SIP INFO; Digit holds it.
	DTMF
	// MediaUpdate: a re-INVITE or UPDATE changed the media (hold, new address);
	// Call.Negotiated holds the new state.
	MediaUpdate
	// Registration: an account's state changed; Reg holds it.
	Registration
	// Transfer: the far end asked us (REFER) to call Reason's URI; the UA has accepted the
	// REFER and the controller decides whether to Dial it.
	Transfer
	// MessageWaiting: a voicemail box watched with [sip.events] mwi reported its state;
	// MWI holds it.
	MessageWaiting
	// Message: a SIP MESSAGE (RFC 3428) arrived; Text holds it.
	Message
)

func (k EventKind) String() string {
	switch k {
	case IncomingCall:
		return "incoming-call"
	case Ringing:
		return "ringing"
	case EarlyMedia:
		return "early-media"
	case Answered:
		return "answered"
	case Ended:
		return "ended"
	case DTMF:
		return "dtmf"
	case MediaUpdate:
		return "media-update"
	case Registration:
		return "registration"
	case Transfer:
		return "transfer"
	case MessageWaiting:
		return "message-waiting"
	case Message:
		return "message"
	}
	return fmt.Sprintf("event(%d)", int(k))
}

// Event is what the UA reports on its Events channel.
type Event struct {
	Kind   EventKind
	Call   *Call
	Digit  rune
	Reg    RegState
	MWI    MWI
	Text   TextMessage // Message
	Code   int
	Reason string
	// At is when the UA reported it (its clock): DTMF by INFO is merged with the same press
	// by RTP by when each arrived, not by when the consumer read it.
	At time.Time
}

// RegistrationState is where an account's registration stands.
type RegistrationState int

const (
	// Unregistered: not (yet) registered, or unregistered on stop.
	Unregistered RegistrationState = iota
	// Registered: the registrar accepted our binding.
	Registered
	// Failing: the last attempt failed; the UA retries with backoff.
	Failing
)

func (s RegistrationState) String() string {
	switch s {
	case Registered:
		return "registered"
	case Failing:
		return "failing"
	}
	return "unregistered"
}

// RegState is one account's registration state.
type RegState struct {
	Account string
	State   RegistrationState
	// Code and Reason are the last final response (or 0 and an error text).
	Code   int
	Reason string
	// Expires is what the registrar granted.
	Expires time.Duration
	// Contact is the contact URI we registered.
	Contact string
	// Registrar is the registrar holding the binding: the account's registrar, or its
	// backup_registrar while failed over (calls go through it then).
	Registrar string
}
