package sdnotify

import "errors"

// ErrSend is wrapped by every error from a failed notification (socket gone, permission).
var ErrSend = errors.New("sdnotify: send")
