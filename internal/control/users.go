package control

import (
	"fmt"

	"github.com/doorsip/intercom/internal/access"
	"github.com/doorsip/intercom/internal/door"
)

// UserLister is implemented by a Handler that runs keypads and card readers: it serves the
// users op (the users without PINs or hashes) and reload-users (reread the users file, as
// `intercom users` asks after editing it; a SIGHUP rereads it too, with the whole config).
type UserLister interface {
	Users() []access.Summary
	ReloadUsers() (int, error)
}

func (s *Server) users(op door.Op) Response {
	ul, ok := s.h.(UserLister)
	if !ok {
		return Response{Error: ErrUnsupported.Error() + ": " + string(op)}
	}
	if op == door.OpReloadUsers {
		n, err := ul.ReloadUsers()
		if err != nil {
			return Response{Error: err.Error()}
		}
		return Response{OK: true, Message: fmt.Sprintf("%d users loaded", n)}
	}
	return Response{OK: true, Users: ul.Users()}
}
