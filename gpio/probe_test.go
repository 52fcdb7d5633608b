package gpio

import (
	"errors"
	"slices"
	"testing"
)

// probingDriver is the sim chip with a canned Probe: what a previous owner left behind.
type probingDriver struct {
	simLines
	states  []LineState
	err     error
	probed  bool
	claimed bool // Request came after Probe
}

func (d *probingDriver) Probe(specs []LineSpec) ([]LineState, error) {
	if d.claimed {
		panic("probe after request")
	}
	d.probed = true
	return d.states, d.err
}

func (d *probingDriver) Request(specs []LineSpec) (Lines, error) {
	d.claimed = true
	return d.simLines.Request(specs)
}

// TestRelaysFoundActive: testConfig's outputs are LED "bell", relay "lock" (active low) and
// relay "aux" (active high), probed in that order.
func TestRelaysFoundActive(t *testing.T) {
	out := func(high bool) LineState { return LineState{Output: true, High: high} }
	in := func(high bool) LineState { return LineState{High: high} }
	tests := []struct {
		name   string
		states []LineState
		err    error
		want   []string
	}{
		{"cold boot: inputs at their pulls", []LineState{in(false), in(false), in(true)}, nil, nil},
		{"last run stopped cleanly", []LineState{out(false), out(true), out(false)}, nil, nil},
		{"killed with the active-high relay on", []LineState{out(false), out(true), out(true)}, nil, []string{"aux"}},
		{"killed with the active-low relay on", []LineState{out(false), out(false), out(false)}, nil, []string{"lock"}},
		{"both relays on, LED lit", []LineState{out(true), out(false), out(true)}, nil, []string{"lock", "aux"}},
		{"an LED left lit is no alarm", []LineState{out(true), out(true), out(false)}, nil, nil},
		{"probe failed", nil, errors.New("EBUSY"), nil},
		{"probe answered short", []LineState{out(true)}, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := &probingDriver{states: tc.states, err: tc.err}
			b, err := Open(testConfig(), Options{Driver: d})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer b.Close()
			if !d.probed {
				t.Fatal("Open did not probe before claiming")
			}
			if got := b.RelaysFoundActive(); !slices.Equal(got, tc.want) {
				t.Errorf("RelaysFoundActive = %q, want %q", got, tc.want)
			}
			// Whatever was found, the claim drove every output safe.
			for _, name := range []string{"bell", "lock", "aux"} {
				if on, _ := d.simLines.output(name); on {
					t.Errorf("%s active after Open", name)
				}
			}
		})
	}
}
