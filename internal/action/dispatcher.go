package action

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/icholy/digest"

	"github.com/doorsip/intercom/internal/clock"
)

// queueLen requests of one action may wait for its worker; more are dropped and counted.
// Each action has its own queue and worker, so a receiver that hangs delays only its own
// requests.
const queueLen = 16

// Event is what an action fires on: a kind and its values by name.
type Event struct {
	Kind string
	Time time.Time
	Vars map[string]string
}

// Options are the dispatcher's dependencies.
type Options struct {
	Logger *slog.Logger // nil: discard
	Clock  clock.Clock  // nil: clock.Real; times the retry backoff
	// Backoff is the wait before the first retry, doubling for each next one (with jitter).
	// 0: 1s.
	Backoff time.Duration
	// Transport for the requests; nil: http.DefaultTransport's settings.
	Transport http.RoundTripper
}

// Stats count what the dispatcher did.
type Stats struct {
	Sent, Failed, Dropped uint64
}

// lane is one action's queue and worker.
type lane struct {
	a     Action
	queue chan Event
	stop  context.CancelFunc // nil until Run starts the worker
	done  chan struct{}
}

// Dispatcher sends the action URLs.
type Dispatcher struct {
	opts    Options
	log     *slog.Logger
	clk     clock.Clock
	changed chan struct{}

	mu      sync.Mutex
	lanes   []*lane
	retired []*lane // replaced by SetActions, for Run to stop

	sent, failed, dropped atomic.Uint64
}

// New returns a dispatcher for actions (each must have passed Validate).
func New(actions []Action, opts Options) *Dispatcher {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Backoff <= 0 {
		opts.Backoff = time.Second
	}
	if opts.Transport == nil {
		opts.Transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	d := &Dispatcher{opts: opts, log: opts.Logger, clk: opts.Clock, changed: make(chan struct{}, 1)}
	d.lanes = newLanes(actions)
	return d
}

func newLanes(actions []Action) []*lane {
	out := make([]*lane, len(actions))
	for i, a := range actions {
		out[i] = &lane{a: a, queue: make(chan Event, queueLen), done: make(chan struct{})}
	}
	return out
}

// SetActions replaces the actions (a reload); the old ones' pending requests are abandoned.
func (d *Dispatcher) SetActions(actions []Action) {
	d.mu.Lock()
	d.retired = append(d.retired, d.lanes...)
	d.lanes = newLanes(actions)
	d.mu.Unlock()
	select {
	case d.changed <- struct{}{}:
	default:
	}
}

// Stats returns the counters.
func (d *Dispatcher) Stats() Stats {
	return Stats{Sent: d.sent.Load(), Failed: d.failed.Load(), Dropped: d.dropped.Load()}
}

// Dispatch queues a request for every action that fires on ev. It never blocks.
func (d *Dispatcher) Dispatch(ev Event) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, l := range d.lanes {
		if !l.a.Fires(ev.Kind) {
			continue
		}
		select {
		case l.queue <- ev:
		default:
			d.dropped.Add(1)
			d.log.Warn("action: queue full, request dropped", "url", redact(l.a.URL), "event", ev.Kind)
		}
	}
}

// Run starts a worker per action and sends queued requests until ctx ends; after a
// SetActions it stops the old workers and starts the new ones.
func (d *Dispatcher) Run(ctx context.Context) error {
	var running []*lane
	for {
		d.mu.Lock()
		for _, l := range d.lanes {
			if l.stop == nil {
				var lctx context.Context
				lctx, l.stop = context.WithCancel(ctx)
				go d.work(lctx, l)
				running = append(running, l)
			}
		}
		retired := d.retired
		d.retired = nil
		d.mu.Unlock()
		for _, l := range retired {
			if l.stop != nil {
				l.stop()
				<-l.done
			}
		}
		select {
		case <-ctx.Done():
			for _, l := range running {
				<-l.done
			}
			return nil
		case <-d.changed:
		}
	}
}

func (d *Dispatcher) work(ctx context.Context, l *lane) {
	defer close(l.done)
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-l.queue:
			d.send(ctx, l.a, ev)
		}
	}
}

// value looks up a template variable: the event's own values, then kind and time.
func value(ev Event) func(string) string {
	return func(name string) string {
		if v, ok := ev.Vars[name]; ok {
			return v
		}
		switch name {
		case "event", "kind":
			return ev.Kind
		case "time":
			return ev.Time.UTC().Format(time.RFC3339)
		case "unix":
			return fmt.Sprint(ev.Time.Unix())
		}
		return ""
	}
}

// send makes the request, retrying with doubling, jittered waits while it fails.
func (d *Dispatcher) send(ctx context.Context, a Action, ev Event) {
	target := Expand(a.URL, value(ev), url.QueryEscape)
	body := Expand(a.Body, value(ev), func(s string) string { return s })
	var rt http.RoundTripper = d.opts.Transport
	if a.User != "" && a.Auth == "digest" {
		rt = &digest.Transport{Username: a.User, Password: a.Password, Transport: d.opts.Transport}
	}
	client := &http.Client{Transport: rt, Timeout: a.Timeout}
	wait := d.opts.Backoff
	var err error
	for attempt := 0; attempt <= a.Retries; attempt++ {
		if attempt > 0 {
			jit := wait/2 + time.Duration(rand.Float64()*float64(wait/2))
			select {
			case <-ctx.Done():
				return
			case <-d.clk.After(jit):
			}
			wait *= 2
		}
		if err = d.try(ctx, client, a, target, body); err == nil {
			d.sent.Add(1)
			return
		}
		if ctx.Err() != nil {
			return
		}
	}
	d.failed.Add(1)
	d.log.Warn("action: request failed", "url", redact(target), "event", ev.Kind, "attempts", a.Retries+1, "err", err)
}

func (d *Dispatcher) try(ctx context.Context, c *http.Client, a Action, target, body string) error {
	var rd io.Reader
	if a.Method == "POST" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, a.Method, target, rd)
	if err != nil {
		return fmt.Errorf("action: %w", err)
	}
	if a.Method == "POST" {
		req.Header.Set("Content-Type", contentType(body))
	}
	req.Header.Set("User-Agent", "intercom")
	if a.User != "" && a.Auth == "basic" {
		req.SetBasicAuth(a.User, a.Password)
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("action: %s: %w", redact(target), err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%w: %s", ErrStatus, resp.Status)
	}
	return nil
}

func contentType(body string) string {
	if t := strings.TrimSpace(body); strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
		return "application/json"
	}
	return "application/x-www-form-urlencoded"
}

// redact drops credentials written into a URL (https://user:pw@host) before it is logged.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	u.User = url.User("xxx")
	return u.String()
}
