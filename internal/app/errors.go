package app

import "errors"

var (
	errNoMedia = errors.New("app: call has no media session")
	errNotSim  = errors.New("app: not a sim board")
	errNoUsers = errors.New("no users file")
	// errSRTPRequired: media.srtp is "mandatory" and the peer did not agree to SRTP.
	errSRTPRequired = errors.New("srtp is mandatory and the peer offered none")
)
