package httpapi

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/doorsip/intercom/internal/clock"
)

// Limits on what a client may make the server hold.
const (
	maxConns     = 64               // connections at once; more wait in the kernel's backlog
	maxPerSource = 8                // connections at once from one address (IPv6: one /64)
	maxHeader    = 16 << 10         // request line and headers
	maxBody      = 64 << 10         // request body
	maxURL       = 4096             // path and query
	readHeader   = 5 * time.Second  // slowloris: the headers must arrive quickly
	readTimeout  = 10 * time.Second // the whole request
	idleTimeout  = 60 * time.Second // keep-alive connections without a request
	writeTimeout = maxPullWait + 10*time.Second
	cmdTimeout   = 10 * time.Second // a command's wait for the controller
)

// Options are the server's dependencies.
type Options struct {
	Logger   *slog.Logger // nil: discard
	Clock    clock.Clock  // nil: clock.Real
	Hostname string       // for the self-signed certificate; "" = "intercom"
}

// Server is the HTTPS API. New listens; Run serves until ctx ends.
type Server struct {
	cfg    Config
	be     Backend
	log    *slog.Logger
	clk    clock.Clock
	cert   tls.Certificate
	nonces *nonces
	locks  *lockouts
	hub    *logHub
	ln     net.Listener
	srv    *http.Server

	mu     sync.Mutex // guards users and digest, which a reload replaces
	users  map[string]User
	digest []string

	closeOnce sync.Once
}

// New loads (or makes) the certificate and listens on cfg.Listen. cfg must have passed
// Validate and be Enabled.
func New(cfg Config, be Backend, opts Options) (*Server, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Hostname == "" {
		opts.Hostname = "intercom"
	}
	cert, err := loadCert(cfg, opts.Hostname, opts.Clock.Now())
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: cfg, be: be, log: opts.Logger, clk: opts.Clock, cert: cert,
		nonces: newNonces(), locks: newLockouts(),
		hub: newLogHub(opts.Clock, opts.Clock.Now()),
	}
	s.SetUsers(cfg.Users, cfg.Digest)
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("httpapi: listen %s: %w", cfg.Listen, err)
	}
	s.ln = tls.NewListener(newLimitListener(ln, maxConns), &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
	})
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: readHeader,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeader,
		ErrorLog:          slog.NewLogLogger(opts.Logger.Handler(), slog.LevelDebug),
	}
	return s, nil
}

// SetUsers replaces the users and the Digest algorithms offered (a reload); requests already
// authenticated finish as they began.
func (s *Server) SetUsers(users []User, digest []string) {
	m := make(map[string]User, len(users))
	for _, u := range users {
		m[u.Name] = u
	}
	s.mu.Lock()
	s.users, s.digest = m, digest
	s.mu.Unlock()
}

func (s *Server) user(name string) (User, bool, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[name]
	return u, ok, s.digest
}

// Addr is where the server listens.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Fingerprint is the SHA-256 fingerprint of the server's certificate.
func (s *Server) Fingerprint() string { return Fingerprint(s.cert) }

// Run serves until ctx ends, feeding the log subscriptions from the backend's events.
func (s *Server) Run(ctx context.Context) error {
	events, unsub := s.be.Subscribe()
	defer unsub()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case e, ok := <-events:
				if !ok {
					return
				}
				s.hub.publish(e)
			}
		}
	}()
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }()
	var err error
	select {
	case <-ctx.Done():
		s.Close()
		err = <-errc
	case err = <-errc:
	}
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("httpapi: %w", err)
}

// Close stops listening and drops every connection, long polls included; idempotent.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		err = s.srv.Close()
		s.ln.Close()
	})
	return err
}

// ServeHTTP authenticates, checks the privilege, bounds the request and dispatches it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if len(r.URL.RequestURI()) > maxURL {
		fail(w, http.StatusRequestURITooLong, codeTooBig, "")
		return
	}
	src := remoteAddr(r)
	now := s.clk.Now()
	if locked, until := s.locks.locked(src, now); locked {
		w.Header().Set("Retry-After", strconv.Itoa(int(until.Sub(now)/time.Second)+1))
		fail(w, http.StatusTooManyRequests, codeAuthRequired, "")
		return
	}
	user, ok := s.authenticate(w, r, src, now)
	if !ok {
		return
	}
	rt, found := routeFor(r.URL.Path)
	if !found {
		fail(w, http.StatusNotFound, codeInvalidPath, "")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		fail(w, http.StatusMethodNotAllowed, codeInvalidMethod, "")
		return
	}
	if !user.Can(rt.priv) {
		s.log.Info("httpapi: privilege refused", "user", user.Name, "path", r.URL.Path, "needs", string(rt.priv), "source", src.String())
		fail(w, http.StatusForbidden, codeNoPrivilege, "")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		fail(w, http.StatusOK, codeTooBig, "")
		return
	}
	rt.h(s, w, r, user)
}

func remoteAddr(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.IPv4Unspecified()
	}
	return ap.Addr()
}

// limitListener holds accepts while maxConns connections are open, and closes at once a
// connection from a source that already has maxPerSource open: a flood of idle connections
// costs a bounded number of goroutines, and one source cannot take every slot.
type limitListener struct {
	net.Listener
	sem chan struct{}

	mu    sync.Mutex
	perIP map[netip.Addr]int
}

func newLimitListener(l net.Listener, n int) net.Listener {
	return &limitListener{Listener: l, sem: make(chan struct{}, n), perIP: map[netip.Addr]int{}}
}

func (l *limitListener) Accept() (net.Conn, error) {
	l.sem <- struct{}{}
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			<-l.sem
			return nil, err
		}
		src := netip.IPv4Unspecified()
		if ap, err := netip.ParseAddrPort(c.RemoteAddr().String()); err == nil {
			src = sourceKey(ap.Addr())
		}
		l.mu.Lock()
		full := l.perIP[src] >= maxPerSource
		if !full {
			l.perIP[src]++
		}
		l.mu.Unlock()
		if full {
			c.Close()
			continue
		}
		return &limitConn{Conn: c, release: func() {
			l.mu.Lock()
			if l.perIP[src]--; l.perIP[src] <= 0 {
				delete(l.perIP, src)
			}
			l.mu.Unlock()
			<-l.sem
		}}, nil
	}
}

type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
