package gpio

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/doorsip/intercom/internal/cfgerr"
	"github.com/doorsip/intercom/internal/clock"
)

// Keypad is a [[keypad]]: a matrix (Rows driven, Cols read) or, without Rows, one button
// per Cols line. Keys names the keys row by row ("123A456B789C*0#D" for 4x4).
type Keypad struct {
	Name string
	Rows []int
	Cols []int
	Keys string
	// ActiveLow: a row is driven low to scan it and a pressed key pulls its column low
	// (columns pulled up). The usual membrane keypad wiring.
	ActiveLow bool
}

// keyCount is how many keys the layout must name.
func (k Keypad) keyCount() int { return max(len(k.Rows), 1) * len(k.Cols) }

func validateKeypads(ks []Keypad, used map[int]string) []error {
	var errs []error
	names := map[string]bool{}
	for i, k := range ks {
		key := fmt.Sprintf("keypad[%d]", i)
		if k.Name == "" || names[k.Name] {
			errs = append(errs, cfgerr.New(key+".name", "%q is missing or used twice (expected a name such as \"front\")", k.Name))
		}
		names[k.Name] = true
		if len(k.Cols) == 0 || len(k.Cols) > 8 || len(k.Rows) > 8 {
			errs = append(errs, cfgerr.New(key+".cols", "%d columns and %d rows (expected 1 to 8 columns and 0 to 8 rows)", len(k.Cols), len(k.Rows)))
		}
		if n := len([]rune(k.Keys)); n != k.keyCount() {
			errs = append(errs, cfgerr.New(key+".keys", "%q names %d keys (expected %d: one per row and column, row by row)", k.Keys, n, k.keyCount()))
		}
		for _, l := range append(append([]int(nil), k.Rows...), k.Cols...) {
			if l < 0 || l > 511 {
				errs = append(errs, cfgerr.New(key, "line %d is out of range (expected 0 to 511)", l))
				continue
			}
			if prev, ok := used[l]; ok {
				errs = append(errs, cfgerr.New(key, "line %d is already used by %s (expected each line once)", l, prev))
				continue
			}
			used[l] = key
		}
	}
	return errs
}

// KeypadOptions are OpenKeypad's dependencies.
type KeypadOptions struct {
	Clock  clock.Clock // nil: clock.Real
	Driver Driver      // nil: the chip named by Chip
	Chip   string
	// Debounce is how long a key must read the same before it counts (membrane keys
	// bounce for a few milliseconds). ScanEvery is the scan period while a key is down.
	Debounce, ScanEvery time.Duration
	// Settle is the wait after driving a row before its columns are read: long keypad
	// cables (and slow emulated wiring) need time to charge. 0 reads at once.
	Settle time.Duration
	// Scanned, when set (tests), is called after every scan with whether a key is down or
	// settling, so a test steps a fake clock one scan at a time.
	Scanned func(busy bool)
}

// KeypadScanner reads one keypad. Idle, every row is driven so that any key pulls its
// column and wakes the scanner by an edge; while a key is down it scans row by row every
// ScanEvery, and goes idle again once every key is released.
type KeypadScanner struct {
	cfg    Keypad
	lines  Lines
	clk    clock.Clock
	deb    time.Duration
	every  time.Duration
	keys   chan rune
	layout []rune
	wake   chan struct{}

	stable, cand []bool
	since        []time.Time
	dropped      int
	scanned      func(bool)
	settle       time.Duration

	closeOnce sync.Once
}

// OpenKeypad claims the keypad's lines, rows at their inactive level.
func OpenKeypad(cfg Keypad, o KeypadOptions) (*KeypadScanner, error) {
	if errs := validateKeypads([]Keypad{cfg}, map[int]string{}); len(errs) > 0 {
		return nil, fmt.Errorf("gpio: keypad %s: %w", cfg.Name, errs[0])
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.ScanEvery <= 0 {
		o.ScanEvery = 5 * time.Millisecond
	}
	drv := o.Driver
	if drv == nil {
		drv = chipDriver{name: o.Chip}
	}
	bias := BiasPullDown
	if cfg.ActiveLow {
		bias = BiasPullUp
	}
	var specs []LineSpec
	for i, c := range cfg.Cols {
		specs = append(specs, LineSpec{Name: fmt.Sprintf("%s-col%d", cfg.Name, i), Offset: c, ActiveLow: cfg.ActiveLow, Bias: bias})
	}
	for i, r := range cfg.Rows {
		specs = append(specs, LineSpec{Name: fmt.Sprintf("%s-row%d", cfg.Name, i), Offset: r, Output: true,
			Initial: polarity(false, cfg.ActiveLow), ActiveLow: cfg.ActiveLow})
	}
	lines, err := drv.Request(specs)
	if err != nil {
		return nil, fmt.Errorf("gpio: keypad %s: %w", cfg.Name, err)
	}
	n := cfg.keyCount()
	return &KeypadScanner{cfg: cfg, lines: lines, clk: o.Clock, deb: o.Debounce, every: o.ScanEvery,
		scanned: o.Scanned, settle: o.Settle, keys: make(chan rune, 16), layout: []rune(cfg.Keys), wake: make(chan struct{}, 1),
		stable: make([]bool, n), cand: make([]bool, n), since: make([]time.Time, n)}, nil
}

// Keys delivers each debounced key press. A reader that falls 16 keys behind loses keys.
func (s *KeypadScanner) Keys() <-chan rune { return s.keys }

// Run scans until ctx ends; then the rows go back to their inactive level.
func (s *KeypadScanner) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	watchErr := make(chan error, 1)
	go func() {
		watchErr <- s.lines.Watch(ctx, func(int) {
			select {
			case s.wake <- struct{}{}:
			default:
			}
		})
	}()
	defer func() {
		cancel()
		<-watchErr
		s.drive(-2)
	}()
	s.drive(-1)
	// A key already down at start is found by the first scan. (Watch may have queued a
	// wake already: the buffer holds one, and one is enough.)
	select {
	case s.wake <- struct{}{}:
	default:
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-watchErr:
			watchErr <- err // for the deferred wait
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("gpio: keypad %s: %w", s.cfg.Name, err)
		case <-s.wake:
		}
		if err := s.scanWhileDown(ctx); err != nil {
			return err
		}
	}
}

// scanWhileDown scans every ScanEvery until no key is down or bouncing, then drives every
// row again for the idle wait.
func (s *KeypadScanner) scanWhileDown(ctx context.Context) error {
	t := s.clk.NewTicker(s.every)
	defer t.Stop()
	for {
		busy, err := s.scan(s.clk.Now())
		if err != nil {
			return fmt.Errorf("gpio: keypad %s: %w", s.cfg.Name, err)
		}
		if !busy {
			// Idle: a key pressed from now on pulls its column and wakes Run. Columns only
			// move while a key connects them, so the scan's own row changes with no key
			// down wake nothing; a wake left from a released key costs one empty scan.
			s.drive(-1)
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C():
		}
	}
}

// drive sets the rows: -1 all active (idle), -2 all inactive, r only row r active.
func (s *KeypadScanner) drive(row int) {
	for i := range s.cfg.Rows {
		active := row == -1 || row == i
		_ = s.lines.Set(len(s.cfg.Cols)+i, polarity(active, s.cfg.ActiveLow))
	}
}

// scan reads every key once at now, debounces, sends new presses, and reports whether any
// key is down or still settling.
func (s *KeypadScanner) scan(now time.Time) (bool, error) {
	rows := max(len(s.cfg.Rows), 1)
	busy := false
	for r := range rows {
		if len(s.cfg.Rows) > 0 {
			s.drive(r)
			if s.settle > 0 {
				<-s.clk.After(s.settle)
			}
		}
		for c := range s.cfg.Cols {
			lvl, err := s.lines.Get(c)
			if err != nil {
				return false, err
			}
			i := r*len(s.cfg.Cols) + c
			if s.debounce(i, polarity(lvl, s.cfg.ActiveLow), now) {
				select {
				case s.keys <- s.layout[i]:
				default:
					s.dropped++
				}
			}
			busy = busy || s.stable[i] || s.cand[i] != s.stable[i]
		}
	}
	if len(s.cfg.Rows) > 0 {
		s.drive(-2)
	}
	if s.scanned != nil {
		s.scanned(busy)
	}
	return busy, nil
}

// debounce feeds key i's raw level and reports a new press.
func (s *KeypadScanner) debounce(i int, down bool, now time.Time) bool {
	if down == s.stable[i] {
		s.cand[i] = down
		return false
	}
	if s.cand[i] != down {
		s.cand[i], s.since[i] = down, now
	}
	if now.Sub(s.since[i]) < s.deb {
		return false
	}
	s.stable[i] = down
	return down
}

// Close releases the lines (rows inactive); idempotent.
func (s *KeypadScanner) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.drive(-2)
		err = s.lines.Close()
	})
	return err
}

// String names the keypad and its layout, for logs.
func (s *KeypadScanner) String() string {
	return fmt.Sprintf("keypad %s (%dx%d %s)", s.cfg.Name, len(s.cfg.Rows), len(s.cfg.Cols), strings.TrimSpace(s.cfg.Keys))
}
