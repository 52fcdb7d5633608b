package demo

import (
	"fmt"
	"net"
)

// freePorts finds n ports free for both UDP and TCP on 127.0.0.1 (SIP listens on both).
func freePorts(n int) ([]int, error) {
	var out []int
	for tries := 0; len(out) < n && tries < 100; tries++ {
		l, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("demo: no free port: %w", err)
		}
		port := l.LocalAddr().(*net.UDPAddr).Port
		t, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		l.Close()
		if err != nil {
			continue
		}
		t.Close()
		if port < 1024 || (len(out) > 0 && out[0] == port) {
			continue
		}
		out = append(out, port)
	}
	if len(out) < n {
		return nil, fmt.Errorf("demo: could not find %d free ports", n)
	}
	return out, nil
}
