package rtproc

import "fmt"

// Kind is a scheduling policy.
type Kind uint32

// The policies the package acts on; any other counts as normal scheduling.
const (
	Normal Kind = 0 // SCHED_OTHER
	FIFO   Kind = 1 // SCHED_FIFO
	RR     Kind = 2 // SCHED_RR
)

// Policy is a scheduling policy and its real-time priority. The zero Policy is normal
// scheduling.
type Policy struct {
	Kind     Kind
	Priority int
}

// RealTime reports whether p is SCHED_FIFO or SCHED_RR.
func (p Policy) RealTime() bool { return p.Kind == FIFO || p.Kind == RR }

func (p Policy) String() string {
	switch p.Kind {
	case FIFO:
		return fmt.Sprintf("SCHED_FIFO %d", p.Priority)
	case RR:
		return fmt.Sprintf("SCHED_RR %d", p.Priority)
	}
	return "normal"
}
