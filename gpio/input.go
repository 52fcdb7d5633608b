package gpio

import "time"

// input is the debounce state of one button or sensor line.
type input struct {
	name      string
	idx       int
	activeLow bool
	button    bool // LongPress is for buttons only

	stable bool      // debounced logical level: true = active
	edgeAt time.Time // last raw edge
	settle time.Time // when the level is read again to confirm a change; zero: nothing pending
	longAt time.Time // when a held button becomes a LongPress; zero: not pending

	simRelease time.Time // Sim.Hold: when the simulated finger lets go
}

// onEdge is the Watch callback. It only restarts the input's debounce time: a bounce that
// returns to the stable level before the time is up leaves no trace.
func (b *Board) onEdge(i int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed || i < 0 || i >= len(b.ins) {
		return
	}
	now := b.clk.Now()
	in := b.ins[i]
	in.edgeAt = now
	in.settle = now.Add(b.cfg.Debounce)
	b.rearmLocked(now)
}

// stepInputsLocked confirms settled edges and due long presses, and returns the inputs whose
// Sim.Hold is over (released by step once the lock is dropped).
func (b *Board) stepInputsLocked(now time.Time) (simReleases []string) {
	for _, in := range b.ins {
		if !in.simRelease.IsZero() && !in.simRelease.After(now) {
			in.simRelease = time.Time{}
			simReleases = append(simReleases, in.name)
		}
		if !in.settle.IsZero() && !in.settle.After(now) {
			at := in.settle
			in.settle = time.Time{}
			phys, err := b.lines.Get(in.idx)
			if err != nil {
				b.log.Error("gpio: read input", "name", in.name, "err", err)
				continue
			}
			lvl := polarity(phys, in.activeLow)
			if lvl == in.stable {
				continue // bounced back
			}
			in.stable = lvl
			if lvl {
				b.emitLocked(in.name, Press, at)
				if in.button {
					in.longAt = in.edgeAt.Add(b.cfg.LongPress)
					if in.longAt.Before(at) {
						in.longAt = at
					}
				}
			} else {
				in.longAt = time.Time{}
				b.emitLocked(in.name, Release, at)
			}
		}
		if !in.longAt.IsZero() && !in.longAt.After(now) {
			b.emitLocked(in.name, LongPress, in.longAt)
			in.longAt = time.Time{}
		}
	}
	return simReleases
}
