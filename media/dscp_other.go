//go:build !linux

package media

import (
	"errors"
	"fmt"
	"net"
)

func setDSCP(c *net.UDPConn, dscp int) error {
	return fmt.Errorf("media: set dscp %d: %w", dscp, errors.ErrUnsupported)
}
