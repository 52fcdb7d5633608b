package door

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/eventlog"
)

// Options are the controller's dependencies. All may be zero.
type Options struct {
	Logger *slog.Logger  // nil: discard
	Clock  clock.Clock   // nil: clock.Real
	Events *eventlog.Log // nil: an in-memory log, so Subscribe still works
	// Notify receives a one-line status on every state change (systemd STATUS=).
	Notify func(status string)
	// Heartbeat is called every HeartbeatEvery from the controller's own loop, so a watchdog
	// fed by it notices a stuck state machine, not just a live process.
	Heartbeat      func()
	HeartbeatEvery time.Duration // 0: 2s
	// OnStatus receives the status after every event the loop handled, from the loop
	// itself: it must return at once and not keep or change the slices.
	OnStatus func(Status)
}

// Controller is the door state machine. Create it with New and run it with Run.
type Controller struct {
	phone  Phone
	board  Board
	clk    clock.Clock
	logger *slog.Logger
	events *eventlog.Log
	opts   Options

	cmds    chan request
	reload  chan struct{}
	done    chan struct{}
	started atomic.Bool

	mu      sync.Mutex // guards pending and status, the only state shared with other goroutines
	pending *Config
	status  Status

	// Everything below is owned by the Run goroutine.
	ctx      context.Context
	cfg      Config
	state    State
	group    *ringGroup
	call     PhoneCall // ringing-in or in-call
	since    time.Time
	code     codeState
	regs     map[string]AccountStatus
	regError bool
	doorOpen bool   // the relay is pulsed
	doorAjar bool   // the door sensor says the door stands open
	alarm    string // door-forced | door-held-open | tamper, until cleared
	leds     map[string]LEDPattern
	ringT    timer
	ringIn   PhoneCall // the incoming call ringT was armed for (no ring group)
	autoIn   bool      // ringT answers ringIn (its caller asked for auto-answer)
	held     bool      // the call in progress is on hold (hold/unhold)
	warnT    timer
	endT     timer
	doorT    timer
	heldT    timer
	lockT    timer
	// locks refuses door codes per caller, and for everyone after the global backstop.
	locks    lockouts
	notified string
	mwi      map[string]bool // voicemail boxes with messages waiting
}

type request struct {
	cmd     Command
	attempt *Attempt // a keypad or reader attempt instead of cmd
	reply   chan response
}

type response struct {
	res Result
	err error
}

// New returns a controller for cfg, which must have passed Validate.
func New(cfg Config, phone Phone, board Board, opts Options) *Controller {
	c := &Controller{
		phone:  phone,
		board:  board,
		clk:    opts.Clock,
		logger: opts.Logger,
		events: opts.Events,
		opts:   opts,
		cmds:   make(chan request),
		reload: make(chan struct{}, 1),
		done:   make(chan struct{}),
		cfg:    cfg,
		state:  Idle,
		regs:   map[string]AccountStatus{},
		leds:   map[string]LEDPattern{},
		mwi:    map[string]bool{},
	}
	if c.clk == nil {
		c.clk = clock.Real{}
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	if c.events == nil {
		c.events = eventlog.New(eventlog.Config{}, eventlog.Options{Clock: c.clk})
	}
	if c.opts.HeartbeatEvery <= 0 {
		c.opts.HeartbeatEvery = 2 * time.Second
	}
	c.status = Status{State: Idle}
	return c
}

// Run is the controller's loop: it owns every call, timer and LED, and returns nil when ctx
// ends (after hanging up and making the board safe), or ErrPanic after a recovered panic,
// with the board halted first.
func (c *Controller) Run(ctx context.Context) (err error) {
	if !c.started.CompareAndSwap(false, true) {
		return ErrRunning
	}
	defer close(c.done)
	defer func() {
		if r := recover(); r != nil {
			// The relay must not stay energised whatever state we were in.
			c.board.Halt()
			c.logger.Error("door: controller panic, board halted", "panic", r, "stack", string(debug.Stack()))
			c.events.Add(EventPanic, "value", fmt.Sprint(r))
			c.setStopped()
			err = fmt.Errorf("%w: %v", ErrPanic, r)
		}
	}()
	c.ctx = ctx
	var beat <-chan time.Time
	if c.opts.Heartbeat != nil {
		t := c.clk.NewTicker(c.opts.HeartbeatEvery)
		defer t.Stop()
		beat = t.C()
	}
	c.events.Add(EventStarted, "state", string(c.state))
	// A config applied since New (or before an event arrives, below) governs what follows:
	// the reload channel alone would race with the event in the select.
	c.applyPending()
	c.refresh()
	phoneEv := c.phone.Events()
	boardEv := c.board.Events()
	for {
		select {
		case <-ctx.Done():
			c.shutdown()
			return nil
		case ev, ok := <-phoneEv:
			if !ok {
				c.logger.Error("door: phone events closed")
				phoneEv = nil
				continue
			}
			c.applyPending()
			c.onPhone(ev)
		case ev, ok := <-boardEv:
			if !ok {
				c.logger.Error("door: board events closed")
				boardEv = nil
				continue
			}
			c.applyPending()
			c.onInput(ev, "gpio")
		case req := <-c.cmds:
			// A reload already asked for and timers already due are handled first, so a
			// command sees the state they produce (and tests with a fake clock are
			// deterministic).
			c.applyPending()
			c.pollTimers()
			var res Result
			var err error
			if req.attempt != nil {
				res, err = c.onAttempt(*req.attempt)
			} else {
				res, err = c.do(req.cmd)
			}
			c.refresh()
			res.Status = c.Status()
			req.reply <- response{res, err}
			continue
		case <-c.reload:
			c.applyPending()
		case at := <-c.ringT.C():
			c.runTimers(&c.ringT, at)
		case at := <-c.warnT.C():
			c.runTimers(&c.warnT, at)
		case at := <-c.endT.C():
			c.runTimers(&c.endT, at)
		case at := <-c.doorT.C():
			c.runTimers(&c.doorT, at)
		case at := <-c.heldT.C():
			c.runTimers(&c.heldT, at)
		case at := <-c.lockT.C():
			c.runTimers(&c.lockT, at)
		case <-beat:
			c.opts.Heartbeat()
			continue
		}
		c.refresh()
	}
}

// pollTimers runs every timer that has already fired.
func (c *Controller) pollTimers() { c.runTimers(nil, time.Time{}) }

// runTimers runs first (received at at) and every other timer already fired, in deadline
// order: when the loop falls behind, or a fake clock jumps, the door must still release
// before it is reported held open.
func (c *Controller) runTimers(first *timer, at time.Time) {
	type firing struct {
		at   time.Time
		t    *timer
		inst clock.Timer
		fn   func()
	}
	table := []struct {
		t  *timer
		fn func()
	}{
		{&c.ringT, c.onRingTimeout}, {&c.warnT, c.onWarn}, {&c.endT, c.onMaxDuration},
		{&c.doorT, c.onDoorClosed}, {&c.heldT, c.onHeldOpen}, {&c.lockT, c.onLockoutOver},
	}
	var due []firing
	for _, e := range table {
		if e.t == first {
			due = append(due, firing{at, e.t, e.t.t, e.fn})
			continue
		}
		select {
		case when := <-e.t.C():
			due = append(due, firing{when, e.t, e.t.t, e.fn})
		default:
		}
	}
	sort.SliceStable(due, func(i, j int) bool { return due[i].at.Before(due[j].at) })
	for _, f := range due {
		// An earlier handler may have stopped or re-armed this timer: then it is stale.
		if f.t.t != f.inst {
			continue
		}
		f.t.fired()
		f.fn()
	}
}

// Do runs cmd on the controller's goroutine and returns what it did.
func (c *Controller) Do(ctx context.Context, cmd Command) (Result, error) {
	return c.send(ctx, request{cmd: cmd, reply: make(chan response, 1)})
}

// send runs req on the controller's goroutine.
func (c *Controller) send(ctx context.Context, req request) (Result, error) {
	select {
	case <-c.done: // checked first: a stopped controller says so even to a cancelled caller
		return Result{Status: c.Status()}, ErrNotRunning
	default:
	}
	select {
	case c.cmds <- req:
	case <-c.done:
		return Result{Status: c.Status()}, ErrNotRunning
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	select {
	case r := <-req.reply:
		return r.res, r.err
	case <-c.done:
		return Result{Status: c.Status()}, ErrNotRunning
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// Apply validates cfg and hands it to the loop, which switches to it between two events; a
// call in progress is kept. An invalid cfg is returned as an error and the running one kept.
func (c *Controller) Apply(cfg Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	c.mu.Lock()
	c.pending = &cfg
	c.mu.Unlock()
	select {
	case c.reload <- struct{}{}:
	default: // a reload is already signalled; it will pick up the newest pending config
	}
	return nil
}

// Status returns the latest snapshot; it is safe from any goroutine.
func (c *Controller) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.status
	s.Accounts = append([]AccountStatus(nil), s.Accounts...)
	s.Ringing = append([]string(nil), s.Ringing...)
	return s
}

// Subscribe streams event log entries from now on; call the func to stop.
func (c *Controller) Subscribe() (<-chan eventlog.Entry, func()) { return c.events.Subscribe() }

// Recent returns the last event log entries, oldest first.
func (c *Controller) Recent() []eventlog.Entry { return c.events.Recent() }

func (c *Controller) applyPending() {
	c.mu.Lock()
	p := c.pending
	c.pending = nil
	c.mu.Unlock()
	if p == nil {
		return
	}
	old := c.cfg
	c.cfg = *p
	// LEDs that left the config go dark rather than freeze in their last pattern.
	keep := map[string]bool{}
	for _, l := range c.cfg.LEDs {
		keep[l.Name] = true
	}
	for name := range c.leds {
		if !keep[name] {
			c.setLED(name, Off)
			delete(c.leds, name)
		}
	}
	// The call in progress keeps going under the new limits, counted from its answer.
	if c.state == InCall && (old.Call.MaxDuration != c.cfg.Call.MaxDuration || old.Call.WarnBefore != c.cfg.Call.WarnBefore) {
		c.armLimits()
	}
	c.events.Add(EventConfigReloaded, "state", string(c.state))
}

// shutdown hangs up whatever is in progress and makes the board safe.
func (c *Controller) shutdown() {
	c.hangupAll("shutdown")
	c.ringT.stop()
	c.warnT.stop()
	c.endT.stop()
	c.doorT.stop()
	c.heldT.stop()
	c.lockT.stop()
	c.board.Halt()
	c.events.Add(EventStopped)
	c.setStopped()
}

func (c *Controller) setStopped() {
	c.mu.Lock()
	c.status.State = Stopped
	c.status.DoorOpen = false
	s := c.status
	c.mu.Unlock()
	if c.opts.OnStatus != nil {
		c.opts.OnStatus(s)
	}
	if c.opts.Notify != nil {
		c.opts.Notify("stopped")
	}
}

// refresh brings LEDs, the shared Status and the systemd status line in line with the state.
func (c *Controller) refresh() {
	c.updateLEDs()
	s := Status{
		State:    c.state,
		DoorOpen: c.doorOpen,
		DoorAjar: c.doorAjar,
		Alarm:    c.alarm,
		Messages: len(c.mwi) > 0,
	}
	// In a call, the status says whether this caller's code is refused; between calls,
	// whether any caller's is.
	if c.call != nil {
		s.LockedOut = c.code.locked || c.locks.locked(c.callerKey())
	} else {
		s.LockedOut = c.locks.any()
	}
	for _, a := range c.regs {
		s.Accounts = append(s.Accounts, a)
	}
	sortAccounts(s.Accounts)
	s.Registered = c.registered()
	if c.call != nil {
		s.Peer = c.call.Remote()
		s.Incoming = c.call.Incoming()
		s.Since = c.since
		s.Held = c.held
	}
	if c.group != nil {
		for _, id := range c.group.order {
			s.Ringing = append(s.Ringing, c.group.legs[id].Remote())
		}
	}
	c.mu.Lock()
	c.status = s
	c.mu.Unlock()
	if c.opts.OnStatus != nil {
		c.opts.OnStatus(s)
	}
	if c.opts.Notify != nil {
		line := statusLine(s)
		if line != c.notified {
			c.notified = line
			c.opts.Notify(line)
		}
	}
}

func statusLine(s Status) string {
	reg := "not registered"
	if s.Registered {
		reg = "registered"
	}
	switch s.State {
	case InCall:
		return fmt.Sprintf("in call with %s, %s", s.Peer, reg)
	case RingingIn:
		return fmt.Sprintf("ringing from %s, %s", s.Peer, reg)
	case Dialing, RingingOut:
		return fmt.Sprintf("%s, %s", s.State, reg)
	}
	return fmt.Sprintf("%s, %s", s.State, reg)
}
