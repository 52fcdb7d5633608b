package gpio

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/doorsip/intercom/internal/clock"
)

// eventBuffer is how many events wait for the controller before new ones are dropped. The
// loop never blocks on the consumer: a relay pulse must end even if nobody reads events.
const eventBuffer = 64

// Options carries what Open needs besides the config.
type Options struct {
	Logger *slog.Logger // nil: discard
	Clock  clock.Clock  // nil: clock.Real
	// Driver overrides the chip chosen by Config.Chip; gpio/gpiotest's fake goes here.
	Driver Driver
}

// Board owns the configured lines of one chip. Its methods are safe for concurrent use.
type Board struct {
	cfg    Config
	log    *slog.Logger
	clk    clock.Clock
	lines  Lines
	sim    *Sim
	events chan Event
	timer  clock.Timer
	wake   chan struct{} // poked when work is due now, so Run need not wait for the timer
	done   chan struct{} // closed by Close: Run returns

	ins  []*input  // spec index i < len(ins)
	outs []*output // spec index len(ins)+j

	mu       sync.Mutex
	closed   bool
	running  bool
	dropped  int
	queue    []Event     // events found by the current step
	drives   []drive     // output changes found by the current step
	released atomic.Bool // lines closed: Halt has nothing left to drive

	foundActive []string // relays energised before Open claimed them (RelaysFoundActive)

	runWG     sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

// Open validates cfg, claims its lines with every output at its inactive level, and reads
// the inputs' current levels (a button already held at start gives no Press). Before the
// claim it reads the outputs, when the driver can (Prober): see RelaysFoundActive.
func Open(cfg Config, opts Options) (*Board, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("gpio: config: %w", err)
	}
	b := &Board{
		cfg:    cfg,
		log:    opts.Logger,
		clk:    opts.Clock,
		events: make(chan Event, eventBuffer),
		wake:   make(chan struct{}, 1),
		done:   make(chan struct{}),
	}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if b.clk == nil {
		b.clk = clock.Real{}
	}
	specs := b.plan()
	drv := opts.Driver
	var sim *simLines
	switch {
	case drv != nil:
	case cfg.Chip == "sim":
		sim = &simLines{}
		drv = sim
	case len(specs) == 0:
		// No lines configured (a desk setup without GPIO): nothing to claim, and no reason
		// to fail on a machine without the chip.
		drv = &simLines{}
	default:
		drv = chipDriver{name: cfg.Chip}
	}
	b.foundActive = b.probeOutputs(drv, specs)
	lines, err := drv.Request(specs)
	if err != nil {
		return nil, fmt.Errorf("gpio: request lines on %s: %w", cfg.Chip, err)
	}
	if len(b.foundActive) > 0 {
		b.log.Warn("gpio: relay found energised at start; driven safe (the last owner of the line died with it on)",
			"relays", b.foundActive)
	}
	b.lines = lines
	for _, in := range b.ins {
		lvl, err := lines.Get(in.idx)
		if err != nil {
			_ = lines.Close()
			return nil, fmt.Errorf("gpio: read %s (line %d): %w", in.name, specs[in.idx].Offset, err)
		}
		in.stable = polarity(lvl, in.activeLow)
	}
	if sim != nil {
		b.sim = &Sim{lines: sim, b: b}
	}
	b.timer = b.clk.NewTimer(time.Hour)
	b.timer.Stop()
	b.log.Info("gpio: lines claimed", "chip", cfg.Chip, "buttons", len(cfg.Buttons), "inputs", len(cfg.Inputs),
		"leds", len(cfg.LEDs), "relays", len(cfg.Relays))
	return b, nil
}

// plan lays out the line specs: buttons, inputs, LEDs, relays, in config order.
func (b *Board) plan() []LineSpec {
	var specs []LineSpec
	addIn := func(c Input, button bool) {
		bias, _ := parseBias(c.Bias) // Validate checked it
		b.ins = append(b.ins, &input{name: c.Name, idx: len(specs), activeLow: c.ActiveLow, button: button})
		specs = append(specs, LineSpec{Name: c.Name, Offset: c.Line, ActiveLow: c.ActiveLow, Bias: bias})
	}
	addOut := func(c Output, relay bool) {
		b.outs = append(b.outs, &output{name: c.Name, idx: len(specs), activeLow: c.ActiveLow, relay: relay})
		specs = append(specs, LineSpec{Name: c.Name, Offset: c.Line, Output: true,
			Initial: polarity(false, c.ActiveLow), ActiveLow: c.ActiveLow})
	}
	for _, c := range b.cfg.Buttons {
		addIn(c, true)
	}
	for _, c := range b.cfg.Inputs {
		addIn(c, false)
	}
	for _, c := range b.cfg.LEDs {
		addOut(c, false)
	}
	for _, c := range b.cfg.Relays {
		addOut(c, true)
	}
	// Readers' LED and beeper wires are pulsed like relays.
	for _, c := range b.cfg.signals() {
		addOut(c, true)
	}
	return specs
}

// Events delivers debounced input events. It is closed by Close. If the consumer falls
// behind by more than a small buffer, new events are dropped and logged.
func (b *Board) Events() <-chan Event { return b.events }

// Sim is the handle that presses simulated buttons and reads simulated outputs; nil unless
// Config.Chip is "sim".
func (b *Board) Sim() *Sim { return b.sim }

// Run watches the inputs, debounces them, plays LED patterns and ends relay pulses until ctx
// ends or Close is called (then it returns nil). Pulses and blinking only advance while Run
// runs.
func (b *Board) Run(ctx context.Context) error {
	b.mu.Lock()
	switch {
	case b.closed:
		b.mu.Unlock()
		return ErrClosed
	case b.running:
		b.mu.Unlock()
		return ErrRunning
	}
	b.running = true
	b.runWG.Add(1)
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		b.running = false
		b.mu.Unlock()
		b.runWG.Done()
	}()

	wctx, cancel := context.WithCancel(ctx)
	watchErr := make(chan error, 1)
	go func() { watchErr <- b.lines.Watch(wctx, b.onEdge) }()
	defer func() {
		cancel()
		<-watchErr
	}()

	for {
		b.step()
		select {
		case <-ctx.Done():
			return nil
		case <-b.done:
			return nil
		case err := <-watchErr:
			watchErr <- nil // for the deferred receive
			if err == nil {
				return nil
			}
			return fmt.Errorf("gpio: watch inputs: %w", err)
		case <-b.wake:
		case <-b.timer.C():
		}
	}
}

// step does everything that is due at the clock's now and arms the timer for what is next.
func (b *Board) step() {
	b.mu.Lock()
	releases := b.stepLocked()
	b.mu.Unlock()
	// Sim.Hold releases are edges like any other: their callback takes the lock.
	for _, name := range releases {
		if err := b.sim.Release(name); err != nil {
			b.log.Error("gpio: sim release", "name", name, "err", err)
		}
	}
}

func (b *Board) stepLocked() (simReleases []string) {
	if b.closed {
		return nil
	}
	now := b.clk.Now()
	simReleases = b.stepInputsLocked(now)
	drives := b.stepOutputsLocked(now)
	// Arm the timer before anything becomes visible: a test that sees the event or the
	// level and then advances a fake clock must find the next deadline already armed.
	b.rearmLocked(now)
	for _, d := range drives {
		if err := b.driveLocked(d.o, d.on); err != nil {
			b.log.Error("gpio: drive output", "name", d.o.name, "err", err)
		}
	}
	for _, ev := range b.queue {
		b.sendLocked(ev)
	}
	b.queue = b.queue[:0]
	return simReleases
}

// rearmLocked points the one timer at the earliest deadline; with one timer the loop needs
// no dynamic select, and a late wake-up (a fake clock advanced in one big step) still does
// everything that fell due, in order.
func (b *Board) rearmLocked(now time.Time) {
	var next time.Time
	consider := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	for _, in := range b.ins {
		consider(in.settle)
		consider(in.longAt)
		consider(in.simRelease)
	}
	for _, o := range b.outs {
		consider(o.pulseEnd)
		consider(o.nextChange)
	}
	if next.IsZero() {
		b.timer.Stop()
		return
	}
	if d := next.Sub(now); d > 0 {
		b.timer.Reset(d)
		return
	}
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// emitLocked queues an event; step sends the queue once the timer is armed.
func (b *Board) emitLocked(name string, kind EventKind, at time.Time) {
	b.queue = append(b.queue, Event{Name: name, Kind: kind, At: at})
}

func (b *Board) sendLocked(ev Event) {
	if b.closed {
		return
	}
	if b.log.Enabled(context.Background(), slog.LevelDebug) { // keeps the step allocation-free
		b.log.Debug("gpio: event", "name", ev.Name, "kind", ev.Kind.String())
	}
	select {
	case b.events <- ev:
	default:
		b.dropped++
		b.log.Warn("gpio: event dropped, consumer too slow", "name", ev.Name, "kind", ev.Kind.String(), "dropped", b.dropped)
	}
}

// Halt drives every relay and LED to its inactive level and cancels pulses and patterns.
// The controller calls it from recover() after a panic, so the first pass takes no lock:
// it must not wait behind whatever went wrong.
func (b *Board) Halt() error {
	if b.released.Load() {
		return nil
	}
	err := b.safeLevels()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, o := range b.outs {
		o.pattern, o.since, o.nextChange, o.pulseEnd, o.level = Off, time.Time{}, time.Time{}, time.Time{}, false
	}
	// Again under the lock: Run may have driven a blink step between the two.
	if err2 := b.safeLevels(); err2 != nil {
		err = err2
	}
	return err
}

func (b *Board) safeLevels() error {
	var errs []error
	for _, o := range b.outs {
		if err := b.lines.Set(o.idx, polarity(false, o.activeLow)); err != nil {
			errs = append(errs, fmt.Errorf("gpio: halt %s: %w", o.name, err))
		}
	}
	return errors.Join(errs...)
}

// Close stops Run, drives relays and LEDs to their inactive level, releases the lines and
// closes Events. It is idempotent.
func (b *Board) Close() error {
	b.closeOnce.Do(func() {
		b.mu.Lock()
		b.closed = true
		close(b.done)
		b.mu.Unlock()
		b.runWG.Wait()
		b.timer.Stop()
		herr := b.Halt()
		b.released.Store(true)
		lerr := b.lines.Close()
		if lerr != nil {
			lerr = fmt.Errorf("gpio: release lines: %w", lerr)
		}
		close(b.events)
		b.closeErr = errors.Join(herr, lerr)
	})
	return b.closeErr
}
