package gpiotest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/doorsip/intercom/gpio"
	"github.com/doorsip/intercom/internal/clock"
)

// Change is one output level the Board drove, as a logical level (true = LED lit, relay
// energised). The first Change of every output is its level at request time.
type Change struct {
	Name string
	On   bool
	At   time.Time
}

// Fake is an in-memory gpio.Driver for one Board at a time; after that Board's Close the
// next one may request lines from it (as a config reload does).
type Fake struct {
	clk clock.Clock

	mu      sync.Mutex
	specs   []gpio.LineSpec
	level   []bool // physical
	edge    func(int)
	pending []int
	history []Change
	changed chan struct{} // closed and replaced on every change, for the Wait methods
	stop    chan struct{}
	closed  bool
	left    map[string]bool // outputs a previous owner left energised (Leave)
}

// New returns a Fake whose recorded times come from clk.
func New(clk clock.Clock) *Fake {
	return &Fake{clk: clk, changed: make(chan struct{}), stop: make(chan struct{})}
}

// Request implements gpio.Driver: inputs idle at their inactive level, outputs start at
// spec.Initial.
func (f *Fake) Request(specs []gpio.LineSpec) (gpio.Lines, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.specs != nil && !f.closed {
		return nil, fmt.Errorf("gpiotest: lines requested while still claimed")
	}
	// A new Board after Close (a config reload) claims afresh; the history goes on.
	f.closed, f.edge, f.pending, f.stop = false, nil, nil, make(chan struct{})
	f.specs = append([]gpio.LineSpec(nil), specs...)
	f.level = make([]bool, len(specs))
	now := f.clk.Now()
	for i, sp := range specs {
		if sp.Output {
			f.level[i] = sp.Initial
			f.history = append(f.history, Change{Name: sp.Name, On: sp.Initial != sp.ActiveLow, At: now})
		} else {
			f.level[i] = sp.ActiveLow
		}
	}
	f.notifyLocked()
	return lines{f}, nil
}

func (f *Fake) notifyLocked() {
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *Fake) find(name string, output bool) (int, error) {
	for i, sp := range f.specs {
		if sp.Name == name && sp.Output == output {
			return i, nil
		}
	}
	return 0, fmt.Errorf("gpiotest: %w: %q", gpio.ErrUnknownLine, name)
}

// Press makes an input active; Release makes it inactive. With the Board running, its edge
// callback has run when they return.
func (f *Fake) Press(name string) error   { return f.Set(name, true) }
func (f *Fake) Release(name string) error { return f.Set(name, false) }

// Set puts an input at a logical level; setting the level it has is no edge.
func (f *Fake) Set(name string, active bool) error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return gpio.ErrClosed
	}
	i, err := f.find(name, false)
	if err != nil {
		f.mu.Unlock()
		return err
	}
	phys := active != f.specs[i].ActiveLow
	if f.level[i] == phys {
		f.mu.Unlock()
		return nil
	}
	f.level[i] = phys
	fn := f.edge
	if fn == nil {
		f.pending = append(f.pending, i)
	}
	f.mu.Unlock()
	if fn != nil {
		fn(i) // outside the lock: the Board calls Get from it
	}
	return nil
}

// Output reports an LED's or relay's logical level; false for an unknown name.
func (f *Fake) Output(name string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	i, err := f.find(name, true)
	if err != nil {
		return false
	}
	return f.level[i] != f.specs[i].ActiveLow
}

// History returns the recorded changes of the output called name, or of all outputs for "".
func (f *Fake) History(name string) []Change {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Change
	for _, c := range f.history {
		if name == "" || c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

// Released reports whether the Board released its lines (Close).
func (f *Fake) Released() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

// Watching reports whether a Board's Run is watching the inputs.
func (f *Fake) Watching() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.edge != nil
}

// wait blocks until cond holds (checked under the lock after every change) or ctx ends.
func (f *Fake) wait(ctx context.Context, what string, cond func() bool) error {
	for {
		f.mu.Lock()
		ok, ch := cond(), f.changed
		f.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("gpiotest: waiting for %s: %w", what, ctx.Err())
		}
	}
}

// WaitOutput blocks until the output called name is at the logical level on. After a
// clock.Fake step the Board drives outputs from its own goroutine; this is how a test waits
// for it.
func (f *Fake) WaitOutput(ctx context.Context, name string, on bool) error {
	return f.wait(ctx, fmt.Sprintf("%s=%v", name, on), func() bool {
		i, err := f.find(name, true)
		return err == nil && (f.level[i] != f.specs[i].ActiveLow) == on
	})
}

// WaitWatching blocks until Run watches the inputs, so that a Press is seen at the clock
// time it happens.
func (f *Fake) WaitWatching(ctx context.Context) error {
	return f.wait(ctx, "Run to watch inputs", func() bool { return f.edge != nil })
}

// lines is the gpio.Lines face of a Fake, kept off Fake's own method set.
type lines struct{ f *Fake }

func (l lines) Get(i int) (bool, error) {
	l.f.mu.Lock()
	defer l.f.mu.Unlock()
	if l.f.closed {
		return false, gpio.ErrClosed
	}
	return l.f.level[i], nil
}

func (l lines) Set(i int, high bool) error {
	f := l.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return gpio.ErrClosed
	}
	if !f.specs[i].Output {
		return fmt.Errorf("gpiotest: line %q is no output", f.specs[i].Name)
	}
	if f.level[i] == high {
		return nil
	}
	f.level[i] = high
	f.history = append(f.history, Change{Name: f.specs[i].Name, On: high != f.specs[i].ActiveLow, At: f.clk.Now()})
	f.notifyLocked()
	return nil
}

func (l lines) Watch(ctx context.Context, edge func(int)) error {
	f := l.f
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return gpio.ErrClosed
	}
	if f.edge != nil {
		f.mu.Unlock()
		return gpio.ErrRunning
	}
	f.edge = edge
	pending := f.pending
	f.pending = nil
	stop := f.stop
	f.notifyLocked()
	f.mu.Unlock()
	for _, i := range pending {
		edge(i)
	}
	select {
	case <-ctx.Done():
	case <-stop:
	}
	f.mu.Lock()
	f.edge = nil
	f.notifyLocked()
	f.mu.Unlock()
	return nil
}

func (l lines) Close() error {
	f := l.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.closed {
		f.closed = true
		close(f.stop)
		f.notifyLocked()
	}
	return nil
}
