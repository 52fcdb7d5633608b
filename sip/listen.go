package sip

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"time"
)

// listen binds UDP and TCP on cfg.Listen. With port 0 (tests) TCP takes the port UDP got,
// so a Contact holds for both transports; if that port is taken for TCP, both try again.
func (u *UA) listen() ([]io.Closer, error) {
	var closers []io.Closer
	want := map[string]bool{}
	for _, t := range u.cfg.Transports {
		want[t] = true
	}
	pc, l, err := u.bindPair(want["udp"], want["tcp"])
	if err != nil {
		return closers, err
	}
	if pc != nil {
		closers = append(closers, pc)
		u.setBound("udp", pc.LocalAddr().(*net.UDPAddr).AddrPort())
		u.udpKey = pc.LocalAddr().String()
		u.udpConn = pc
		u.srvWG.Add(1)
		go func() { defer u.srvWG.Done(); _ = u.srv.ServeUDP(pc) }()
		u.awaitUDPListener()
	}
	if l != nil {
		closers = append(closers, l)
		u.setBound("tcp", l.Addr().(*net.TCPAddr).AddrPort())
		u.srvWG.Add(1)
		go func() { defer u.srvWG.Done(); _ = u.srv.ServeTCP(l) }()
	}
	if want["tls"] && u.serverTLS != nil {
		port := 0
		if ap, err := netip.ParseAddrPort(u.cfg.Listen); err == nil {
			port = int(ap.Port())
		}
		l, err := tls.Listen("tcp", u.cfg.tlsListenAddr(port), u.serverTLS)
		if err != nil {
			return closers, fmt.Errorf("%w: tls: %w", errListen, err)
		}
		closers = append(closers, l)
		u.setBound("tls", l.Addr().(*net.TCPAddr).AddrPort())
		u.srvWG.Add(1)
		go func() { defer u.srvWG.Done(); _ = u.srv.ServeTLS(l) }()
	}
	return closers, nil
}

// bindPair binds the UDP and TCP sockets on one port.
func (u *UA) bindPair(udp, tcp bool) (net.PacketConn, net.Listener, error) {
	addr := u.cfg.Listen
	ephemeral := false
	if ap, err := netip.ParseAddrPort(addr); err == nil && ap.Port() == 0 {
		ephemeral = true
	}
	for attempt := 0; ; attempt++ {
		var pc net.PacketConn
		tcpAddr := addr
		if udp {
			var err error
			if pc, err = net.ListenPacket("udp", addr); err != nil {
				return nil, nil, fmt.Errorf("%w: udp %s: %w", errListen, addr, err)
			}
			port := pc.LocalAddr().(*net.UDPAddr).Port
			tcpAddr = net.JoinHostPort(hostOf(addr), strconv.Itoa(port))
		}
		if !tcp {
			return pc, nil, nil
		}
		l, err := net.Listen("tcp", tcpAddr)
		if err == nil {
			return pc, l, nil
		}
		if pc != nil {
			pc.Close()
		}
		if !ephemeral || !udp || attempt >= 20 {
			return nil, nil, fmt.Errorf("%w: tcp %s: %w", errListen, tcpAddr, err)
		}
	}
}

// awaitUDPListener waits until sipgo's serve loop has put the listener into its pool;
// before that a request with Laddr set would try to bind the port a second time.
func (u *UA) awaitUDPListener() {
	pool := u.gua.TransportLayer().Pool("udp")
	for i := 0; i < 2000; i++ {
		if c := pool.Get(u.udpKey); c != nil {
			c.Ref(-1)
			return
		}
		time.Sleep(time.Millisecond)
	}
	u.log.Warn("sip: udp listener not ready after 2s")
}

func hostOf(hostport string) string {
	h, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return hostport
	}
	return h
}

func (u *UA) setBound(t string, ap netip.AddrPort) {
	u.mu.Lock()
	u.bound[t] = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	u.mu.Unlock()
}
