package httpapi

import "errors"

var (
	// ErrBadAuthorization is an Authorization header that does not parse.
	ErrBadAuthorization = errors.New("httpapi: malformed authorization header")
	// ErrCert is a certificate or key that cannot be loaded or made.
	ErrCert = errors.New("httpapi: certificate")
)
