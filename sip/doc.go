// Package sip is the intercom's SIP user agent: it listens on UDP and TCP, registers each
// configured account (digest auth, refresh, backoff), places and answers calls, and reports
// what happens as Events. It builds on github.com/emiago/sipgo for parsing, transports and
// transactions; dialogs (CSeq, route set, remote target, CANCEL/BYE, re-INVITE) are ours because
// a door station needs exact control over the races sipgo's dialog helpers leave open.
//
// SDP offers and answers are built by hand with github.com/pion/sdp/v3 from a MediaOffer that
// the media side prepares; the result of a negotiation is a Negotiated value the controller
// hands to media. The package never opens RTP sockets, never touches GPIO or ALSA, and never
// imports media/, alsa/ or gpio/.
//
// Events, per call: an outgoing call sees Ringing (first 180), EarlyMedia (183 with SDP),
// Answered (after our ACK) or Ended with the final status; an incoming call starts with
// IncomingCall and sees Answered when the ACK for our 200 arrives. DTMF (INFO), MediaUpdate
// (re-INVITE/UPDATE or our own hold changed the media), Transfer (REFER) and Ended (Code 0
// for a BYE) follow. Ended comes exactly once per call. Registration reports every account
// state change and every successful refresh.
//
// SIP events ([sip.events]): phones and PBXs SUBSCRIBE to the door's state in the dialog
// (RFC 4235, BLF keys) and presence (PIDF) packages; the controller's state reaches the
// notifier through SetDoorState, which never blocks. The UA can also PUBLISH the door's
// presence to its registrar and watch voicemail boxes (message-summary, MessageWaiting).
//
// Every goroutine the UA starts is owned by Run and has returned when Run returns. Policy
// (who may call, busy handling) is the controller's: the UA answers 100 Trying to an INVITE,
// emits IncomingCall, and waits for Ring, Answer or Reject.
package sip
