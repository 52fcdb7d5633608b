package media

import "time"

// spinLimit is how many periods in a row a device may return almost at once before the
// session paces it itself. A card fills its buffer this way for a few periods at start and
// after an xrun; a device that never blocks would otherwise turn a SCHED_FIFO loop into a
// busy loop that starves the rest of the system.
const spinLimit = 50

// spinGuard counts consecutive device calls that took under a quarter of a period.
type spinGuard struct{ fast int }

func (g *spinGuard) spinning(took, period time.Duration) bool {
	if took >= period/4 {
		g.fast = 0
		return false
	}
	g.fast++
	return g.fast >= spinLimit
}
