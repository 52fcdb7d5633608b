package main

import "testing"

type quietProc struct{}

func (q *quietProc) Process(out, mic, far []int16) error { copy(out, mic); return nil }

// allocProc allocates on every frame, or every nth.
type allocProc struct {
	every, n int
	keep     [][]int16
}

func (a *allocProc) Process(out, mic, far []int16) error {
	if a.n++; a.n%a.every == 0 {
		a.keep = append(a.keep[:0], make([]int16, len(mic)+a.n))
	}
	copy(out, mic)
	return nil
}

// TestQuietAllocs: the smoke's allocation count is 0 for a processor that allocates nothing
// and shows one that allocates per frame, or on one frame in 50.
func TestQuietAllocs(t *testing.T) {
	const rate = 16000
	far, mic := make([]int16, 2*rate), make([]int16, 2*rate)
	for _, tc := range []struct {
		name string
		p    func() frameProcessor
		min  float64
		max  float64
	}{
		{"none", func() frameProcessor { return &quietProc{} }, 0, 0},
		{"every frame", func() frameProcessor { return &allocProc{every: 1} }, 1, 3},
		{"one in 50", func() frameProcessor { return &allocProc{every: 50} }, 0.01, 0.1},
	} {
		got, err := quietAllocs(func() (frameProcessor, error) { return tc.p(), nil }, rate, far, mic)
		if err != nil {
			t.Fatal(err)
		}
		if got < tc.min || got > tc.max {
			t.Errorf("%s: %.3f allocations per frame, want %.2f-%.2f", tc.name, got, tc.min, tc.max)
		}
	}
}
