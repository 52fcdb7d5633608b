package gpiotest

import (
	"context"
	"sync"

	"github.com/doorsip/intercom/gpio"
)

// Matrix is a fake keypad wiring for gpio.OpenKeypad: a pressed key connects its row line to
// its column line, so a column reads active only while the scanner drives that key's row
// active (or at once, for a keypad without rows). It is a gpio.Driver.
type Matrix struct {
	mu      sync.Mutex
	rows    []int // offsets
	cols    []int
	low     bool
	specs   []gpio.LineSpec
	level   map[int]bool // physical level of outputs, by offset
	pressed map[[2]int]bool
	edge    func(int)
	closed  bool
}

// NewMatrix returns the wiring of a keypad with these row and column offsets.
func NewMatrix(rows, cols []int, activeLow bool) *Matrix {
	return &Matrix{rows: rows, cols: cols, low: activeLow, level: map[int]bool{}, pressed: map[[2]int]bool{}}
}

// Request claims the keypad's lines.
func (m *Matrix) Request(specs []gpio.LineSpec) (gpio.Lines, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.specs = specs
	for _, sp := range specs {
		if sp.Output {
			m.level[sp.Offset] = sp.Initial
		}
	}
	return matrixLines{m}, nil
}

// Press connects row r (index; -1 for a keypad without rows) to column c.
func (m *Matrix) Press(r, c int) { m.set(r, c, true) }

// Release disconnects them.
func (m *Matrix) Release(r, c int) { m.set(r, c, false) }

func (m *Matrix) set(r, c int, down bool) {
	m.mu.Lock()
	m.pressed[[2]int{r, c}] = down
	edge := m.edge
	m.mu.Unlock()
	if edge != nil {
		edge(c)
	}
}

// RowsIdle reports whether every row is at its inactive level (after Close).
func (m *Matrix) RowsIdle() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range m.rows {
		if m.level[r] != m.low {
			return false
		}
	}
	return true
}

// Watching reports whether a scanner waits for column edges.
func (m *Matrix) Watching() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.edge != nil
}

type matrixLines struct{ m *Matrix }

func (l matrixLines) Get(i int) (bool, error) {
	m := l.m
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false, gpio.ErrClosed
	}
	c := -1
	for j, off := range m.cols {
		if off == m.specs[i].Offset {
			c = j
		}
	}
	active := m.pressed[[2]int{-1, c}]
	for r, off := range m.rows {
		rowActive := m.level[off] != m.low
		active = active || rowActive && m.pressed[[2]int{r, c}]
	}
	return active != m.low, nil
}

func (l matrixLines) Set(i int, high bool) error {
	m := l.m
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return gpio.ErrClosed
	}
	m.level[m.specs[i].Offset] = high
	return nil
}

func (l matrixLines) Watch(ctx context.Context, edge func(int)) error {
	m := l.m
	m.mu.Lock()
	m.edge = edge
	m.mu.Unlock()
	<-ctx.Done()
	m.mu.Lock()
	m.edge = nil
	m.mu.Unlock()
	return nil
}

func (l matrixLines) Close() error {
	m := l.m
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return nil
}
