package gpiotest

import "github.com/doorsip/intercom/gpio"

// Leave makes the next Board find the output called name energised before it claims it: a
// previous owner was killed with the relay on and the kernel kept the level (as Raspberry Pi
// kernels do). Request still drives it to spec.Initial, as a real chip would.
func (f *Fake) Leave(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.left == nil {
		f.left = map[string]bool{}
	}
	f.left[name] = true
}

// Probe implements gpio.Prober: the lines passed to Leave are outputs at their active level,
// every other line an input at its inactive one (a cold boot). Leave's marks are used up.
func (f *Fake) Probe(specs []gpio.LineSpec) ([]gpio.LineState, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]gpio.LineState, len(specs))
	for i, sp := range specs {
		if f.left[sp.Name] {
			out[i] = gpio.LineState{Output: true, High: !sp.ActiveLow}
		} else {
			out[i] = gpio.LineState{High: sp.ActiveLow}
		}
	}
	f.left = nil
	return out, nil
}
