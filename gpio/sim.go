package gpio

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Sim presses simulated buttons and reads simulated outputs of a Board opened with chip
// "sim": the control socket and the demo drive a door with no hardware through it. Levels
// are logical (true = pressed, relay energised, LED lit).
type Sim struct {
	lines *simLines
	b     *Board
}

// Press makes an input active, as a finger on a button or an opened door contact would.
func (s *Sim) Press(name string) error { return s.lines.setInput(name, true) }

// Release makes an input inactive.
func (s *Sim) Release(name string) error { return s.lines.setInput(name, false) }

// Hold presses an input now and releases it after d on the Board's clock (Run must run).
// A press shorter than Config.Debounce is, by design, no press at all; Tap is a sure one.
func (s *Sim) Hold(name string, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("%w: %s", ErrBadDuration, d)
	}
	if err := s.Press(name); err != nil {
		return err
	}
	b := s.b
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, in := range b.ins {
		if in.name == name {
			now := b.clk.Now()
			in.simRelease = now.Add(d)
			b.rearmLocked(now)
		}
	}
	return nil
}

// Tap is a short press as a visitor gives it: held for the debounce time plus 100 ms.
func (s *Sim) Tap(name string) error { return s.Hold(name, s.b.cfg.Debounce+100*time.Millisecond) }

// Output reports whether the LED or relay called name is driven active; false for a name
// that is no output.
func (s *Sim) Output(name string) bool {
	on, _ := s.lines.output(name)
	return on
}

// Outputs lists the LED and relay names, in config order, for status displays.
func (s *Sim) Outputs() []string { return s.lines.names(true) }

// Inputs lists the button and input names, in config order.
func (s *Sim) Inputs() []string { return s.lines.names(false) }

// simLines is the in-memory chip behind Sim: inputs idle at their inactive level, edges
// queued until Watch runs (as the kernel queues events from the request on).
type simLines struct {
	mu      sync.Mutex
	specs   []LineSpec
	level   []bool // physical
	edge    func(int)
	pending []int
	stop    chan struct{}
	closed  bool
}

func (s *simLines) Request(specs []LineSpec) (Lines, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.specs != nil {
		return nil, fmt.Errorf("gpio: sim lines already requested")
	}
	s.specs = append([]LineSpec(nil), specs...)
	s.level = make([]bool, len(specs))
	for i, sp := range specs {
		if sp.Output {
			s.level[i] = sp.Initial
		} else {
			s.level[i] = polarity(false, sp.ActiveLow) // idle
		}
	}
	s.stop = make(chan struct{})
	return s, nil
}

func (s *simLines) find(name string, output bool) (int, error) {
	for i, sp := range s.specs {
		if sp.Name == name && sp.Output == output {
			return i, nil
		}
	}
	kind := "input"
	if output {
		kind = "output"
	}
	return 0, fmt.Errorf("%w: no %s %q", ErrUnknownLine, kind, name)
}

func (s *simLines) setInput(name string, active bool) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	i, err := s.find(name, false)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	phys := polarity(active, s.specs[i].ActiveLow)
	if s.level[i] == phys {
		s.mu.Unlock()
		return nil
	}
	s.level[i] = phys
	fn := s.edge
	if fn == nil {
		s.pending = append(s.pending, i)
	}
	s.mu.Unlock()
	// Outside the lock: the Board's callback takes its own lock and then calls Get.
	if fn != nil {
		fn(i)
	}
	return nil
}

func (s *simLines) output(name string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, err := s.find(name, true)
	if err != nil {
		return false, err
	}
	return polarity(s.level[i], s.specs[i].ActiveLow), nil
}

func (s *simLines) names(output bool) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, sp := range s.specs {
		if sp.Output == output {
			out = append(out, sp.Name)
		}
	}
	return out
}

func (s *simLines) Get(i int) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false, ErrClosed
	}
	if i < 0 || i >= len(s.level) {
		return false, fmt.Errorf("%w: index %d", ErrUnknownLine, i)
	}
	return s.level[i], nil
}

func (s *simLines) Set(i int, high bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if i < 0 || i >= len(s.level) || !s.specs[i].Output {
		return fmt.Errorf("%w: index %d is no output", ErrUnknownLine, i)
	}
	s.level[i] = high
	return nil
}

func (s *simLines) Watch(ctx context.Context, edge func(int)) error {
	s.mu.Lock()
	switch {
	case s.closed:
		s.mu.Unlock()
		return ErrClosed
	case s.edge != nil:
		s.mu.Unlock()
		return ErrRunning
	}
	s.edge = edge
	pending := s.pending
	s.pending = nil
	stop := s.stop
	s.mu.Unlock()
	for _, i := range pending {
		edge(i)
	}
	select {
	case <-ctx.Done():
	case <-stop:
	}
	s.mu.Lock()
	s.edge = nil
	s.mu.Unlock()
	return nil
}

func (s *simLines) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.stop)
	}
	return nil
}
