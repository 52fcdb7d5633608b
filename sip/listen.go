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
// so a Contact holds for both transports.
func (u *UA) listen() ([]io.Closer, error) {
	var closers []io.Closer
	addr := u.cfg.Listen
	want := map[string]bool{}
	for _, t := range u.cfg.Transports {
		want[t] = true
	}
	if want["udp"] {
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			return closers, fmt.Errorf("%w: udp %s: %w", errListen, addr, err)
		}
		closers = append(closers, pc)
		ap := pc.LocalAddr().(*net.UDPAddr).AddrPort()
		u.setBound("udp", ap)
		u.udpKey = pc.LocalAddr().String()
		u.udpConn = pc
		addr = net.JoinHostPort(hostOf(u.cfg.Listen), strconv.Itoa(int(ap.Port())))
		u.srvWG.Add(1)
		go func() { defer u.srvWG.Done(); _ = u.srv.ServeUDP(pc) }()
		u.awaitUDPListener()
	}
	if want["tcp"] {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return closers, fmt.Errorf("%w: tcp %s: %w", errListen, addr, err)
		}
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
