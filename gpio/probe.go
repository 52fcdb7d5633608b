package gpio

// LineState is what a Prober found on a line before the Board claimed it.
type LineState struct {
	Output bool // configured as an output (by a previous owner, or kept so by the kernel)
	High   bool // physical level
}

// Prober is a Driver that can read output lines before Request drives them to their safe
// level. A process killed while it held a relay energised releases the line without a word;
// mainline kernels then return the pin to an input, but Raspberry Pi kernels keep a released
// output at its last level (pinctrl_bcm2835.persist_gpio_outputs defaults to 1 there), so the
// door stays open until someone claims the line. Open reads what it finds so that the next
// run can say so.
type Prober interface {
	// Probe reads the lines of specs without changing their direction or level; the result
	// has one LineState per spec.
	Probe(specs []LineSpec) ([]LineState, error)
}

// probeOutputs asks drv (when it is a Prober) for the outputs' state and returns the names of
// the relays that were outputs at their active level. A probe that fails is logged and
// otherwise ignored: it must never stop Open from driving the lines safe.
func (b *Board) probeOutputs(drv Driver, specs []LineSpec) []string {
	p, ok := drv.(Prober)
	if !ok || len(b.outs) == 0 {
		return nil
	}
	outSpecs := make([]LineSpec, len(b.outs))
	for j, o := range b.outs {
		outSpecs[j] = specs[o.idx]
	}
	states, err := p.Probe(outSpecs)
	if err != nil || len(states) != len(outSpecs) {
		b.log.Warn("gpio: cannot read the outputs before claiming them", "err", err)
		return nil
	}
	isRelay := map[string]bool{} // [Config.Relays] only: readers' LED and beeper wires pulse as relays too
	for _, r := range b.cfg.Relays {
		isRelay[r.Name] = true
	}
	var found []string
	for j, o := range b.outs {
		st := states[j]
		if o.relay && isRelay[o.name] && st.Output && polarity(st.High, o.activeLow) {
			found = append(found, o.name)
		}
	}
	return found
}

// RelaysFoundActive names the relays that Open found energised, as outputs, before it drove
// them safe: the previous owner of the line (a killed intercom) died with the door open and
// the kernel kept the level. A relay line that was an input (a cold boot) is never reported,
// whatever its pull makes it read.
func (b *Board) RelaysFoundActive() []string { return append([]string(nil), b.foundActive...) }
