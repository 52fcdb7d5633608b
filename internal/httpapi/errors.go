package httpapi

import "errors"

var (
	// ErrBadAuthorization is an Authorization header that does not parse.
	ErrBadAuthorization = errors.New("httpapi: malformed authorization header")
	// ErrCert is a certificate or key that cannot be loaded or made.
	ErrCert = errors.New("httpapi: certificate")
	// ErrPEMFile is a certificate or key file that is not a regular file or is too large
	// to be one (wrapped together with ErrCert).
	ErrPEMFile = errors.New("httpapi: not a regular PEM file of at most 4 MiB")
)
