package action

import "errors"

// ErrStatus is a receiver that answered with a status other than 2xx.
var ErrStatus = errors.New("action: receiver answered with an error status")
