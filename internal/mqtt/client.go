package mqtt

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/doorsip/intercom/internal/clock"
)

const (
	// queueLen messages may wait for the broker; past that they are dropped and counted.
	queueLen = 256
	// cmdQueue commands may wait for the controller; a flood past that is dropped.
	cmdQueue = 8
	// ackTimeout bounds each wait for the broker (connect, publish, subscribe).
	ackTimeout = 10 * time.Second
	// cmdTimeout bounds how long one command may wait for the controller.
	cmdTimeout = 5 * time.Second
	// stableAfter is how long a connection must last for the backoff to start over.
	stableAfter = time.Minute
)

// Handler carries out a command; it is called from the client's own goroutine, one command
// at a time, with a context that ends after a few seconds.
type Handler func(ctx context.Context, cmd Command) error

// Options are the client's dependencies.
type Options struct {
	Logger *slog.Logger // nil: discard
	Clock  clock.Clock  // nil: clock.Real; times the reconnect backoff
	// Handle carries out commands. Nil, or cfg.Commands false: commands are not subscribed to.
	Handle Handler
	// Backoff is the first reconnect delay (doubling up to BackoffMax). 0: 1s and 1m.
	Backoff, BackoffMax time.Duration
}

// Stats are the client's counters for `intercom ctl stats`.
type Stats struct {
	Connected       bool
	Published       uint64
	Dropped         uint64 // events and states that found the queue full
	CommandsDropped uint64 // commands that found the command queue full
	Commands        uint64 // commands carried out (successfully or not)
	Refused         uint64 // commands that were malformed, or came while commands are off
	Connects        uint64 // successful connections, the first included
	Failures        uint64 // connection attempts that failed, and connections lost
}

// Client is one broker connection and what it publishes. Create it with New, run it with Run.
type Client struct {
	cfg    Config
	dev    Device
	opts   Options
	log    *slog.Logger
	clk    clock.Clock
	queue  chan Message
	cmds   chan Command
	redisc chan struct{}
	stateC chan struct{}

	mu    sync.Mutex
	state State
	has   bool // state was set

	connected                      atomic.Bool
	published, dropped, cmdDropped atomic.Uint64
	commands, refused              atomic.Uint64
	connects, failures             atomic.Uint64

	refusedLog logLimit // refusals are logged at most once per refusedEvery
}

// New returns a client for cfg (which must have passed Validate and be Enabled).
func New(cfg Config, dev Device, opts Options) *Client {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Backoff <= 0 {
		opts.Backoff = time.Second
	}
	if opts.BackoffMax < opts.Backoff {
		opts.BackoffMax = max(time.Minute, opts.Backoff)
	}
	return &Client{
		cfg: cfg, dev: dev, opts: opts, log: opts.Logger, clk: opts.Clock,
		queue:  make(chan Message, queueLen),
		cmds:   make(chan Command, cmdQueue),
		redisc: make(chan struct{}, 1),
		stateC: make(chan struct{}, 1),
	}
}

// Config is the configuration the client runs with.
func (c *Client) Config() Config { return c.cfg }

// Stats returns the counters.
func (c *Client) Stats() Stats {
	return Stats{
		Connected:       c.connected.Load(),
		Published:       c.published.Load(),
		Dropped:         c.dropped.Load(),
		CommandsDropped: c.cmdDropped.Load(),
		Commands:        c.commands.Load(),
		Refused:         c.refused.Load(),
		Connects:        c.connects.Load(),
		Failures:        c.failures.Load(),
	}
}

// Event queues payload (a JSON object) for <prefix>/event/<kind>. It never blocks.
func (c *Client) Event(kind string, payload []byte) {
	c.enqueue(Message{Topic: eventTopic(c.cfg.TopicPrefix, NodeID(kind)), Payload: payload, Retain: c.cfg.Retain})
}

// Button queues a doorbell event of the named button. It never blocks.
func (c *Client) Button(name string, ev ButtonEvent) {
	b, _ := json.Marshal(struct {
		EventType string `json:"event_type"`
	}{ev.String()})
	c.enqueue(Message{Topic: buttonTopic(c.cfg.TopicPrefix, name), Payload: b})
}

// SetState records the door's state; the newest one is published (retained) when it differs
// from the last one sent. It never blocks.
func (c *Client) SetState(s State) {
	c.mu.Lock()
	changed := !c.has || c.state != s
	c.state, c.has = s, true
	c.mu.Unlock()
	if changed {
		select {
		case c.stateC <- struct{}{}:
		default:
		}
	}
}

// Resend publishes the newest state again, as the answer to a command that changes nothing.
func (c *Client) Resend() {
	select {
	case c.stateC <- struct{}{}:
	default:
	}
}

func (c *Client) enqueue(m Message) {
	select {
	case c.queue <- m:
	default:
		c.dropped.Add(1)
	}
}

// Run connects, publishes and reconnects with backoff until ctx ends; then it publishes
// offline and disconnects. It returns nil when ctx ends: a broker that is down or refuses us
// is logged and retried, never an error that would stop the door.
func (c *Client) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); c.runCommands(ctx) }()
	defer wg.Wait()

	bo := clock.NewBackoff(c.opts.Backoff, c.opts.BackoffMax)
	failing := false
	var lastErr string
	for {
		start := c.clk.Now()
		err := c.session(ctx)
		c.connected.Store(false)
		if ctx.Err() != nil {
			return nil
		}
		c.failures.Add(1)
		if c.clk.Since(start) >= stableAfter {
			bo.Reset()
		}
		d := bo.Next()
		// Logged when the reason changes, not on every attempt: a broker down for a day
		// must not fill the journal.
		if !failing || err.Error() != lastErr {
			c.log.Warn("mqtt: broker connection failed; retrying", "broker", c.cfg.Broker, "err", err, "retry_in", d.Round(time.Millisecond))
		} else {
			c.log.Debug("mqtt: still no broker", "err", err, "retry_in", d)
		}
		failing, lastErr = true, err.Error()
		select {
		case <-ctx.Done():
			return nil
		case <-c.clk.After(d):
		}
	}
}

// session is one connection, from connect until it is lost or ctx ends.
func (c *Client) session(ctx context.Context) error {
	u, err := brokerURL(c.cfg.Broker)
	if err != nil {
		return err
	}
	lost := make(chan error, 1)
	o := paho.NewClientOptions().
		AddBroker(u.String()).
		SetClientID(c.cfg.ClientID).
		SetUsername(c.cfg.Username).
		SetPassword(c.cfg.Password).
		SetCleanSession(true).
		SetAutoReconnect(false). // Run reconnects, with its own backoff and logging
		SetConnectRetry(false).
		SetOrderMatters(false). // handlers only queue, but must never hold up the network loop
		SetKeepAlive(30*time.Second).
		SetConnectTimeout(ackTimeout).
		SetWriteTimeout(ackTimeout).
		SetBinaryWill(availabilityTopic(c.cfg.TopicPrefix), []byte("offline"), byte(c.cfg.QoS), true).
		SetConnectionLostHandler(func(_ paho.Client, err error) {
			select {
			case lost <- err:
			default:
			}
		})
	if u.Scheme == "ssl" || u.Scheme == "wss" {
		tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: u.Hostname()}
		if len(c.cfg.CAPEM) > 0 {
			pool := x509.NewCertPool()
			pool.AppendCertsFromPEM(c.cfg.CAPEM)
			tc.RootCAs = pool
		}
		o.SetTLSConfig(tc)
	}
	cl := paho.NewClient(o)
	if err := c.wait(ctx, cl.Connect()); err != nil {
		cl.Disconnect(0)
		return fmt.Errorf("mqtt: connect %s: %w", c.cfg.Broker, err)
	}
	c.connected.Store(true)
	c.connects.Add(1)
	c.log.Info("mqtt: connected", "broker", c.cfg.Broker, "user", c.cfg.Username, "commands", c.cfg.Commands && c.opts.Handle != nil)
	defer func() {
		c.connected.Store(false)
		cl.Disconnect(250)
	}()

	pub := func(m Message) error {
		if err := c.wait(ctx, cl.Publish(m.Topic, byte(c.cfg.QoS), m.Retain, m.Payload)); err != nil {
			return fmt.Errorf("mqtt: publish %s: %w", m.Topic, err)
		}
		c.published.Add(1)
		return nil
	}
	announce := func() error {
		if err := pub(Message{Topic: availabilityTopic(c.cfg.TopicPrefix), Payload: []byte("online"), Retain: true}); err != nil {
			return err
		}
		if c.cfg.Discovery {
			for _, m := range Discovery(c.cfg, c.dev) {
				if err := pub(m); err != nil {
					return err
				}
			}
		}
		return c.publishState(pub, true)
	}
	if c.cfg.Discovery {
		// Home Assistant says online when it (re)starts; it has lost what it was told.
		if err := c.wait(ctx, cl.Subscribe(c.cfg.DiscoveryPrefix+"/status", 1, c.onStatus)); err != nil {
			return fmt.Errorf("mqtt: subscribe: %w", err)
		}
	}
	// Command topics are subscribed to even with commands off, so that a refused command is
	// counted and logged rather than silently lost.
	for _, t := range []string{c.cfg.TopicPrefix + "/cmd/+", c.cfg.TopicPrefix + "/user/+/cmd/+"} {
		if err := c.wait(ctx, cl.Subscribe(t, 1, c.onCommand)); err != nil {
			return fmt.Errorf("mqtt: subscribe %s: %w", t, err)
		}
	}
	if err := announce(); err != nil {
		return err
	}
	// A clean stop says offline itself: the broker sends the will only when the connection
	// breaks. ctx is over then, so this one waits a moment on its own.
	offline := func() {
		cl.Publish(availabilityTopic(c.cfg.TopicPrefix), byte(c.cfg.QoS), true, []byte("offline")).WaitTimeout(time.Second)
	}
	for {
		select {
		case <-ctx.Done():
			offline()
			return nil
		case err := <-lost:
			return fmt.Errorf("mqtt: connection lost: %w", err)
		case <-c.redisc:
			if err := announce(); err != nil {
				if ctx.Err() != nil {
					offline() // stopped in the middle of a re-discovery
					return nil
				}
				return err
			}
		case <-c.stateC:
			if err := c.publishState(pub, false); err != nil {
				return err
			}
		case m := <-c.queue:
			if err := pub(m); err != nil {
				return err
			}
		}
	}
}

// publishState sends the newest state (retained), unless it was already sent and always is
// false.
func (c *Client) publishState(pub func(Message) error, always bool) error {
	c.mu.Lock()
	s, has := c.state, c.has
	c.mu.Unlock()
	if !has && !always {
		return nil
	}
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("mqtt: state: %w", err)
	}
	return pub(Message{Topic: stateTopic(c.cfg.TopicPrefix), Payload: b, Retain: true})
}

// wait waits for t, at most ackTimeout, or until ctx ends.
func (c *Client) wait(ctx context.Context, t paho.Token) error {
	select {
	case <-t.Done():
		return t.Error()
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(ackTimeout): // the library times on the wall clock too
		return ErrTimeout
	}
}

func (c *Client) onStatus(_ paho.Client, m paho.Message) {
	if string(m.Payload()) == "online" {
		select {
		case c.redisc <- struct{}{}:
		default:
		}
	}
}

func (c *Client) onCommand(_ paho.Client, m paho.Message) {
	cmd, err := ParseCommand(c.cfg.TopicPrefix, m.Topic(), m.Payload())
	if err == nil && (!c.cfg.Commands || c.opts.Handle == nil) {
		err = fmt.Errorf("%w: %s (user %q)", ErrCommandsOff, cmd.Op, cmd.User)
	}
	if err != nil {
		c.refused.Add(1)
		if n, ok := c.refusedLog.allow(c.clk.Now()); ok {
			c.log.Warn("mqtt: command refused", "err", err, "refused_since_last_report", n)
		}
		return
	}
	select {
	case c.cmds <- cmd:
	default:
		c.cmdDropped.Add(1)
	}
}

// runCommands carries out queued commands one at a time until ctx ends.
func (c *Client) runCommands(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case cmd := <-c.cmds:
			c.commands.Add(1)
			cctx, cancel := context.WithTimeout(ctx, cmdTimeout)
			err := c.opts.Handle(cctx, cmd)
			cancel()
			if err != nil && !errors.Is(err, context.Canceled) {
				c.log.Info("mqtt: command failed", "op", cmd.Op.String(), "arg", cmd.Arg, "user", cmd.User, "err", err)
				continue
			}
			c.log.Info("mqtt: command", "op", cmd.Op.String(), "arg", cmd.Arg, "user", cmd.User)
		}
	}
}

// refusedEvery spaces the log lines about refused commands: a publisher looping on a command
// topic must not fill the journal.
const refusedEvery = 10 * time.Second

// logLimit lets one report through per refusedEvery and counts the rest.
type logLimit struct {
	mu      sync.Mutex
	last    time.Time
	skipped int
}

// allow reports whether to log now, and how many events were not logged before this one.
func (l *logLimit) allow(now time.Time) (int, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.last.IsZero() && now.Sub(l.last) < refusedEvery {
		l.skipped++
		return 0, false
	}
	n := l.skipped
	l.last, l.skipped = now, 0
	return n, true
}
