package media

import "net"

type (
	netUDPAddr = net.UDPAddr
	netUDPConn = net.UDPConn
)
