package sip

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	"github.com/emiago/sipgo"
	gosip "github.com/emiago/sipgo/sip"
)

// UA is the SIP user agent. Create it with NewUA, start it with Run.
type UA struct {
	cfg    Config
	log    *slog.Logger
	clk    clock.Clock
	events chan Event
	scan   *scanLimiter
	notif  *notifier
	pub    *publisher // nil unless [sip.events] publish
	mwi    []*mwiSub  // [sip.events] mwi

	gua *sipgo.UserAgent
	srv *sipgo.Server
	cli *sipgo.Client

	mu      sync.Mutex
	calls   map[string]*Call // by Call-ID
	started bool
	closed  bool
	bound   map[string]netip.AddrPort // "udp"/"tcp" -> listening address
	regs    []*registration

	draining  atomic.Bool // set when shutting down: incoming messages are dropped
	udpKey    string
	udpConn   net.PacketConn // the UDP listener, for CRLF keepalives
	serverTLS *tls.Config
	lookupSRV srvLookup      // the UDP listener's address as sipgo's pool names it
	srvWG     sync.WaitGroup // sipgo's serve loops

	arrivalParser *gosip.Parser // parses responses in the read filter (noteArrival)

	ready chan struct{} // closed once listening
	done  chan struct{} // closed when Run starts shutting down
	wg    sync.WaitGroup
}

// NewUA checks cfg and prepares a UA; nothing listens until Run.
func NewUA(cfg Config, opts Options) (*UA, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("sip: config: %w", err)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	clk := opts.Clock
	if clk == nil {
		clk = clock.Real{}
	}
	n := opts.EventBuffer
	if n <= 0 {
		n = 64
	}
	u := &UA{
		cfg:    cfg,
		log:    log,
		clk:    clk,
		events: make(chan Event, n),
		scan:   newScanLimiter(cfg.Scanner, clk, log),
		calls:  map[string]*Call{},
		bound:  map[string]netip.AddrPort{},
		ready:  make(chan struct{}),
		done:   make(chan struct{}),

		lookupSRV: net.DefaultResolver.LookupSRV,
	}
	u.arrivalParser = newParser()
	uaOpts := []sipgo.UserAgentOption{sipgo.WithUserAgent(cfg.UserAgent), sipgo.WithUserAgentParser(newParser())}
	if cfg.wantsTLS() {
		srvTLS, cliTLS, err := tlsConfigs(cfg.TLS)
		if err != nil {
			return nil, err
		}
		u.serverTLS = srvTLS
		uaOpts = append(uaOpts, sipgo.WithUserAgenTLSConfig(cliTLS))
	}
	ua, err := sipgo.NewUA(append(uaOpts,
		sipgo.WithUserAgentTransactionLayerOptions(gosip.WithTransactionLayerLogger(log)),
		sipgo.WithUserAgentTransportLayerOptions(
			gosip.WithTransportLayerLogger(log),
			gosip.WithTransportLayerReadFilter(u.readFilter),
		),
	)...)
	if err != nil {
		return nil, fmt.Errorf("sip: %w", err)
	}
	u.gua = ua
	if u.srv, err = sipgo.NewServer(ua, sipgo.WithServerLogger(log)); err != nil {
		return nil, fmt.Errorf("sip: %w", err)
	}
	if u.cli, err = sipgo.NewClient(ua, sipgo.WithClientLogger(log)); err != nil {
		return nil, fmt.Errorf("sip: %w", err)
	}
	u.notif = newNotifier(u, cfg.Events)
	if cfg.Events.Publish && len(cfg.Accounts) > 0 {
		u.pub = newPublisher(u, cfg.Accounts[0], cfg.Events.PublishExpires)
	}
	for _, box := range cfg.Events.MWI {
		u.mwi = append(u.mwi, newMWISub(u, box))
	}
	u.routes()
	for _, a := range cfg.Accounts {
		u.regs = append(u.regs, newRegistration(u, a))
	}
	return u, nil
}

// Events is where the UA reports calls, digits and registrations. The channel is buffered
// and never closed; when the consumer falls behind, events are dropped and logged rather
// than stalling SIP processing, and an incoming call that cannot be announced is refused
// with 503.
func (u *UA) Events() <-chan Event { return u.events }

func (u *UA) emit(ev Event) bool {
	if ev.At.IsZero() {
		ev.At = u.clk.Now()
	}
	select {
	case u.events <- ev:
		return true
	default:
		u.log.Warn("sip: event dropped, consumer not reading", "kind", ev.Kind.String())
		return false
	}
}

// Run listens on cfg.Listen, registers every account and serves until ctx ends; then it
// ends the calls (BYE/CANCEL/480), unregisters (Expires: 0), closes the sockets and returns
// once every goroutine it started has stopped. Run may be called once.
func (u *UA) Run(ctx context.Context) error {
	u.mu.Lock()
	if u.started {
		u.mu.Unlock()
		return ErrClosed
	}
	u.started = true
	u.mu.Unlock()

	closers, err := u.listen()
	if err != nil {
		u.shutdownTransport(closers)
		u.markClosed()
		return err
	}
	u.notif.start() // before Ready: a SUBSCRIBE right after it must find the table open
	close(u.ready)
	u.wg.Add(1)
	go func() { defer u.wg.Done(); u.notif.run(ctx, u.clk) }()
	if u.pub != nil {
		u.wg.Add(1)
		go func() { defer u.wg.Done(); u.pub.run(ctx) }()
	}
	for _, m := range u.mwi {
		u.wg.Add(1)
		go func() { defer u.wg.Done(); m.run(ctx) }()
	}
	for _, r := range u.regs {
		r := r
		u.wg.Add(1)
		go func() { defer u.wg.Done(); r.run(ctx) }()
	}
	<-ctx.Done()

	// done first: new INVITEs get 503 and every request below is bounded by shutdownGrace.
	close(u.done)
	u.mu.Lock()
	calls := make([]*Call, 0, len(u.calls))
	for _, c := range u.calls {
		calls = append(calls, c)
	}
	u.mu.Unlock()
	for _, c := range calls {
		c.Hangup()
	}
	u.notif.shutdown()
	// Registrations unregister on ctx end inside r.run; calls' BYEs run on u.wg too.
	u.wg.Wait()
	u.shutdownTransport(closers)
	u.markClosed()
	return nil
}

func (u *UA) markClosed() {
	u.mu.Lock()
	u.closed = true
	u.mu.Unlock()
}

func (u *UA) shutdownTransport(closers []io.Closer) {
	// Drop what still arrives, and give sipgo's per-message goroutines (which we cannot
	// join) a moment to finish what they read before the drain began.
	u.draining.Store(true)
	time.Sleep(20 * time.Millisecond)
	// Transactions first, while the listeners still exist: a transaction that answers while
	// terminating must not find the socket gone and open a new one nobody closes.
	_ = u.gua.Close()
	for _, c := range closers {
		_ = c.Close()
	}
	u.srvWG.Wait()
}

// Ready is closed once Run listens; tests and the controller may wait on it before Dial.
func (u *UA) Ready() <-chan struct{} { return u.ready }

// Addr is the address the UA listens on for transport ("udp" or "tcp"), valid after Ready.
func (u *UA) Addr(transport string) netip.AddrPort {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.bound[transport]
}

// localIP is the address we present to dest: the listen IP when it is specific, else the
// local address of the route to dest (a connected UDP socket sends nothing).
func (u *UA) localIP(dest string) netip.Addr {
	if ap, err := netip.ParseAddrPort(u.cfg.Listen); err == nil && !ap.Addr().IsUnspecified() {
		return ap.Addr()
	}
	c, err := net.Dial("udp", dest)
	if err == nil {
		defer c.Close()
		if ua, ok := c.LocalAddr().(*net.UDPAddr); ok {
			if a, ok := netip.AddrFromSlice(ua.IP); ok {
				return a.Unmap()
			}
		}
	}
	return netip.AddrFrom4([4]byte{127, 0, 0, 1})
}

func (u *UA) isClosing() bool {
	select {
	case <-u.done:
		return true
	default:
		return false
	}
}

var errListen = errors.New("sip: listen")

// readFilter drops every incoming message once Run is tearing the transport down, so that
// no late request makes sipgo open a socket after the pools were cleared; it notes the
// responses to our INVITEs in arrival order (noteArrival).
func (u *UA) readFilter(props gosip.TransportReadProps, data []byte) ([]byte, error) {
	if u.draining.Load() {
		return nil, nil
	}
	u.noteArrival(props.Transport, data)
	return data, nil
}
