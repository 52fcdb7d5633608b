package door

import "context"

// Phone is the SIP side as the controller sees it; internal/app adapts sip.UA and
// media.Session to it.
type Phone interface {
	// Dial starts an outgoing call and returns at once; progress arrives as PhoneEvents.
	Dial(ctx context.Context, target string) (PhoneCall, error)
	// Events delivers call and registration events. It is never closed while Run runs.
	Events() <-chan PhoneEvent
}

// PhoneCall is one SIP dialog (named so beside Config.Call, the [call] section) with its media.
type PhoneCall interface {
	ID() string
	Remote() string // "sip:user@host" of the far end
	Incoming() bool
	Ring() error                // incoming: 180 Ringing
	Answer() error              // incoming: 200 OK, media starts
	Reject(code int) error      // incoming: final error response (403, 486, 603)
	Hangup() error              // CANCEL or BYE, whichever the dialog state needs
	SendDTMF(digit rune) error  // RFC 4733 or INFO, the adapter's choice; queued, not blocking
	PlayTone(kind string) error // "warning": short tone to the far end before max_duration
}

// PhoneEventKind says what a PhoneEvent reports.
type PhoneEventKind int

// Kinds of PhoneEvent.
const (
	Incoming       PhoneEventKind = iota + 1 // Call is a new incoming call
	Ringing                                  // outgoing Call got 180/183
	Answered                                 // outgoing Call got 200 OK
	Ended                                    // Call is over (BYE, CANCEL, error response); Code, Reason
	DTMF                                     // Digit from the far end of Call
	MediaTimeout                             // no RTP on Call for media.rtp_timeout
	Registration                             // Account's registration changed; Registered, Code, Reason
	Transferred                              // Call now carries another party (blind transfer); Remote() names it
	MessageWaiting                           // Account's voicemail box has (Waiting) or has no new messages
	TransferResult                           // the far end's answer to our transfer of Call to Target: Code 202, or the refusal (0: no answer)
)

var phoneEventNames = [...]string{"", "incoming", "ringing", "answered", "ended", "dtmf", "media-timeout", "registration", "transferred", "message-waiting", "transfer-result"}

func (k PhoneEventKind) String() string {
	if k > 0 && int(k) < len(phoneEventNames) {
		return phoneEventNames[k]
	}
	return "unknown"
}

// PhoneEvent is one thing that happened on the SIP side.
type PhoneEvent struct {
	Kind       PhoneEventKind
	Call       PhoneCall
	Digit      rune
	Code       int    // SIP status that ended a call or failed a registration
	Reason     string // human-readable cause
	Registered bool
	Account    string
	Waiting    bool   // MessageWaiting: messages wait in Account's box
	Target     string // TransferResult: whom the far end was asked to call
}
