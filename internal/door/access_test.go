package door_test

import (
	"errors"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/door"
)

func (r *rig) attempt(a door.Attempt) (door.AccessOutcome, error) {
	r.t.Helper()
	return r.c.Access(r.ctx, a)
}

func TestAccessGrantOpensTheDoorRelay(t *testing.T) {
	cfg := baseConfig()
	cfg.Relays = []door.Relay{{Name: "gate", OpenFor: 10 * time.Second}}
	r := newRig(t, cfg)
	out, err := r.attempt(door.Attempt{Source: "keypad:front", Via: door.PINCredential, Granted: true, User: "Alice"})
	if err != nil || out != door.AccessGranted {
		t.Fatalf("Access = %v, %v", out, err)
	}
	if p := r.board.Pulses(); len(p) != 1 || p[0].Relay != door.RelayDoor {
		t.Fatalf("pulses %+v", p)
	}
	if !r.sync().DoorOpen {
		t.Error("status does not say the door is open")
	}
	r.wantKinds("started,door-open,access-granted")
	e := r.log.Recent()
	if g := e[len(e)-1]; g.String("user") != "Alice" || g.String("source") != "keypad:front" || g.String("via") != "pin" {
		t.Errorf("access-granted fields %v", g.Fields)
	}
	// The door's own timer releases it, as for any other opening.
	r.advance(3 * time.Second)
	r.wantKinds("door-released")
	// Another relay is pulsed by name.
	if out, err := r.attempt(door.Attempt{Source: "reader:gate", Via: door.CardCredential, Granted: true, User: "Bob", Relay: "gate"}); err != nil || out != door.AccessGranted {
		t.Fatalf("gate: %v %v", out, err)
	}
	r.wantKinds("relay-open,access-granted")
	if p := r.board.Pulses(); len(p) != 2 || p[1].Relay != "gate" || p[1].For != 10*time.Second {
		t.Fatalf("pulses %+v", p)
	}
	// A relay that is not configured opens nothing.
	if _, err := r.attempt(door.Attempt{Source: "reader:gate", Granted: true, User: "Bob", Relay: "garage"}); !errors.Is(err, door.ErrUnknownRelay) {
		t.Fatalf("unknown relay: %v", err)
	}
}

func TestCtlOpenRelay(t *testing.T) {
	cfg := baseConfig()
	cfg.Relays = []door.Relay{{Name: "gate"}}
	r := newRig(t, cfg)
	if _, err := r.do("open", "gate"); err != nil {
		t.Fatal(err)
	}
	if p := r.board.Pulses(); len(p) != 1 || p[0].Relay != "gate" || p[0].For != cfg.Door.OpenFor {
		t.Fatalf("pulses %+v", p)
	}
	if _, err := r.do("open", "garage"); !errors.Is(err, door.ErrUnknownRelay) {
		t.Fatalf("open garage: %v", err)
	}
	if _, err := r.do("open", ""); err != nil || len(r.board.Pulses()) != 2 || r.board.Pulses()[1].Relay != door.RelayDoor {
		t.Fatalf("open the door: %v %+v", err, r.board.Pulses())
	}
	bad := baseConfig()
	bad.Relays = []door.Relay{{Name: "door"}, {Name: ""}, {Name: "x", OpenFor: time.Millisecond}}
	if err := bad.Validate(); err == nil {
		t.Fatal("bad relays passed")
	}
}

// TestAccessLockout: wrong PINs from one keypad lock that keypad out, escalating, while the
// other reader, refusals by schedule, and calls go on.
func TestAccessLockout(t *testing.T) {
	cfg := baseConfig()
	cfg.Door.MaxAttempts = 3
	cfg.Door.LockoutFor = time.Minute
	cfg.Door.LockoutMax = 10 * time.Minute
	r := newRig(t, cfg)
	wrong := door.Attempt{Source: "keypad:front", Via: door.PINCredential, Reason: "unknown"}
	for i := range 3 {
		if out, err := r.attempt(wrong); out != door.AccessDenied || !errors.Is(err, door.ErrDenied) {
			t.Fatalf("attempt %d: %v %v", i, out, err)
		}
	}
	r.wantKinds("started,access-denied,access-denied,access-denied,access-lockout")
	if !r.sync().LockedOut {
		t.Error("status does not show the lockout")
	}
	// Locked out: even the right PIN is refused, and nothing is pulsed.
	right := door.Attempt{Source: "keypad:front", Via: door.PINCredential, Granted: true, User: "Alice"}
	if out, err := r.attempt(right); out != door.AccessLockedOut || !errors.Is(err, door.ErrLockedOut) {
		t.Fatalf("while locked: %v %v", out, err)
	}
	if len(r.board.Pulses()) != 0 {
		t.Fatal("relay pulsed while locked out")
	}
	// The other reader is not locked, a schedule refusal is not counted, and a call rings.
	if out, _ := r.attempt(door.Attempt{Source: "reader:gate", Via: door.CardCredential, Granted: true, User: "Bob"}); out != door.AccessGranted {
		t.Fatalf("other reader: %v", out)
	}
	r.incoming("sip:101@pbx")
	r.wantState(door.RingingIn)
	r.advance(time.Minute)
	r.newKinds()
	if out, _ := r.attempt(right); out != door.AccessGranted {
		t.Fatalf("after the lockout: %v", out)
	}
	// Known users outside their schedule are logged but never lock the keypad.
	for range 5 {
		r.attempt(door.Attempt{Source: "keypad:front", Via: door.PINCredential, Known: true, User: "Bob", Reason: "outside-schedule"})
	}
	if out, _ := r.attempt(right); out != door.AccessGranted {
		t.Fatalf("schedule refusals locked the keypad: %v", out)
	}
	// The next streak locks for twice as long.
	for range 3 {
		r.attempt(wrong)
	}
	r.advance(time.Minute)
	if out, _ := r.attempt(right); out != door.AccessLockedOut {
		t.Fatalf("second lockout lasted only a minute: %v", out)
	}
	r.advance(time.Minute)
	if out, _ := r.attempt(right); out != door.AccessGranted {
		t.Fatalf("after the second lockout: %v", out)
	}
}

// TestAccessLockoutWithoutLockoutFor: lockout_for "0s" ends only a DTMF caller's call; a
// keypad, which has no call, is still locked out (for a minute).
func TestAccessLockoutWithoutLockoutFor(t *testing.T) {
	cfg := baseConfig()
	cfg.Door.MaxAttempts = 2
	cfg.Door.LockoutFor = 0
	cfg.Door.LockoutMax = 0
	r := newRig(t, cfg)
	wrong := door.Attempt{Source: "keypad:front", Via: door.PINCredential, Reason: "unknown"}
	r.attempt(wrong)
	r.attempt(wrong)
	right := door.Attempt{Source: "keypad:front", Via: door.PINCredential, Granted: true, User: "Alice"}
	if out, _ := r.attempt(right); out != door.AccessLockedOut {
		t.Fatalf("after 2 wrong PINs: %v", out)
	}
	r.advance(time.Minute)
	if out, _ := r.attempt(right); out != door.AccessGranted {
		t.Fatalf("after a minute: %v", out)
	}
}
