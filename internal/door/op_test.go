package door_test

import (
	"errors"
	"testing"

	"github.com/doorsip/intercom/internal/door"
)

// The rule table and the controller agree: every op the table gives the controller is one it
// runs, the others it refuses, and the ops that act on a call are refused when there is none.
func TestOpRules(t *testing.T) {
	for _, op := range door.Ops() {
		t.Run(string(op), func(t *testing.T) {
			rule, ok := op.Rule()
			if !ok {
				t.Fatalf("%s has no rule", op)
			}
			r := newRig(t, baseConfig())
			arg := ""
			if rule.Arg == door.ArgRequired {
				arg = "call"
			}
			_, err := r.do(op, arg)
			switch {
			case !rule.Controller:
				if !errors.Is(err, door.ErrUnknownOp) {
					t.Fatalf("controller ran %s: %v", op, err)
				}
			case rule.Call:
				if !errors.Is(err, door.ErrNoCall) {
					t.Fatalf("%s with no call: %v, want %v", op, err, door.ErrNoCall)
				}
			case errors.Is(err, door.ErrUnknownOp):
				t.Fatalf("controller does not run %s: %v", op, err)
			}
		})
	}
	if door.Op("reboot").Valid() {
		t.Fatal("unknown op valid")
	}
}
