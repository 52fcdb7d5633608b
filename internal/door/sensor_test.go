package door_test

import (
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/door"
)

func TestDoorSensorAndTamper(t *testing.T) {
	tests := []struct {
		name      string
		steps     func(r *rig)
		wantAlarm string
		wantAjar  bool
		wantKinds string
	}{
		{name: "opened after the relay", steps: func(r *rig) {
			r.press("open")
			r.press("reed")
			r.advance(3 * time.Second) // relay released, door still open: fine until held_open
		}, wantAjar: true, wantKinds: "door-open,door-opened,door-released"},
		{name: "opened and closed", steps: func(r *rig) {
			r.press("open")
			r.press("reed")
			r.input("reed", door.Release)
		}, wantKinds: "door-open,door-opened,door-closed"},
		{name: "forced", steps: func(r *rig) {
			r.press("reed")
		}, wantAlarm: "door-forced", wantAjar: true, wantKinds: "door-forced"},
		{name: "forced then closed clears", steps: func(r *rig) {
			r.press("reed")
			r.input("reed", door.Release)
		}, wantKinds: "door-forced,door-closed"},
		{name: "held open", steps: func(r *rig) {
			r.press("open")
			r.press("reed")
			r.advance(30 * time.Second)
		}, wantAlarm: "door-held-open", wantAjar: true, wantKinds: "door-open,door-opened,door-released,door-held-open"},
		{name: "closed just in time", steps: func(r *rig) {
			r.press("open")
			r.press("reed")
			r.advance(29 * time.Second)
			r.input("reed", door.Release)
			r.advance(time.Minute)
		}, wantKinds: "door-open,door-opened,door-released,door-closed"},
		{name: "tamper", steps: func(r *rig) {
			r.press("lid")
		}, wantAlarm: "tamper", wantKinds: "tamper"},
		{name: "tamper cleared", steps: func(r *rig) {
			r.press("lid")
			r.input("lid", door.Release)
		}, wantKinds: "tamper,tamper-cleared"},
		{name: "sensor through the control socket", steps: func(r *rig) {
			if _, err := r.c.Do(r.ctx, door.Command{Op: "press", Arg: "reed"}); err != nil {
				r.t.Fatal(err)
			}
		}, wantAlarm: "door-forced", wantAjar: true, wantKinds: "door-forced"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig()
			cfg.Door.Sensor, cfg.Door.Tamper, cfg.Door.HeldOpen = "reed", "lid", 30*time.Second
			r := newRig(t, cfg)
			r.newKinds()
			tt.steps(r)
			s := r.sync()
			if s.Alarm != tt.wantAlarm || s.DoorAjar != tt.wantAjar {
				t.Errorf("alarm %q ajar %v, want %q %v", s.Alarm, s.DoorAjar, tt.wantAlarm, tt.wantAjar)
			}
			r.wantKinds(tt.wantKinds)
			if len(r.board.Pulses()) > 1 {
				t.Error("sensor or tamper drove the relay")
			}
		})
	}
}
