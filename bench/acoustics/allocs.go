package main

import (
	"runtime"
	"slices"
)

// quietAllocs is the intercom processor's heap allocations per frame over the scenario,
// counted apart from everything else the benchmark does. runtime.MemStats counts the whole
// process, and the peers' pipes, finalizers of their files and the runtime itself may
// allocate while a timed pass runs; so this pass runs after every peer of the scenario has
// finished, on one P (as testing.AllocsPerRun does), after a warm-up, with the finalizers
// queued by a collection already run, three times, and keeps the least. A real allocation
// of the processor happens on the same frames in every pass (the input is the same), so it
// still shows; a stray one would have to hit all three.
func (o ours) quietAllocs(rate int, far, mic []int16) (float64, error) {
	return quietAllocs(func() (frameProcessor, error) { return o.newProc(rate) }, rate, far, mic)
}

// frameProcessor is what quietAllocs drives: the voice processor, or a test's stand-in.
type frameProcessor interface {
	Process(out, mic, far []int16) error
}

func quietAllocs(newProc func() (frameProcessor, error), rate int, far, mic []int16) (float64, error) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	frame := rate / 100
	frames := len(mic) / frame
	out := make([]int16, frame)
	counts := make([]uint64, 0, 3)
	for range 3 {
		p, err := newProc()
		if err != nil {
			return 0, err
		}
		// Warm-up: the first frames may size lazily built state, as a call's first would.
		if err := p.Process(out, mic[:frame], far[:frame]); err != nil {
			return 0, err
		}
		settle()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		for i := range frames {
			s := i * frame
			if err := p.Process(out, mic[s:s+frame], far[s:s+frame]); err != nil {
				return 0, err
			}
		}
		runtime.ReadMemStats(&m1)
		counts = append(counts, m1.Mallocs-m0.Mallocs)
	}
	return float64(slices.Min(counts)) / float64(frames), nil
}

// settle collects garbage and waits until the finalizers that collection queued have run,
// so none of them allocates inside the count.
func settle() {
	for range 2 {
		done := make(chan struct{})
		sentinel := new([16]byte)
		runtime.SetFinalizer(sentinel, func(*[16]byte) { close(done) })
		sentinel = nil
		runtime.GC()
		<-done
	}
}
