package control

import (
	"path/filepath"

	"github.com/doorsip/intercom/internal/cfgerr"
)

// Config is [control].
type Config struct {
	Socket string // unix socket path; empty = no control socket
}

// maxSocketPath is sun_path's size on Linux minus the terminating NUL.
const maxSocketPath = 107

// Validate checks c. Keys are relative to [control].
func (c Config) Validate() error {
	if c.Socket == "" {
		return nil
	}
	if !filepath.IsAbs(c.Socket) {
		return cfgerr.New("socket", "%q is not an absolute path", c.Socket)
	}
	if len(c.Socket) > maxSocketPath {
		return cfgerr.New("socket", "%q is longer than %d bytes, the limit of a unix socket path", c.Socket, maxSocketPath)
	}
	return nil
}
