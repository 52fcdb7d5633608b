package door_test

import (
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/door"
)

func TestMaxDuration(t *testing.T) {
	r := newRig(t, baseConfig()) // 3m limit, warning 10s before
	c := r.answerCall("sip:101@pbx")
	r.newKinds()
	r.advance(170*time.Second - time.Millisecond)
	if len(c.Tones()) != 0 {
		t.Fatal("warning too early")
	}
	r.advance(time.Millisecond)
	if tones := c.Tones(); len(tones) != 1 || tones[0] != "warning" {
		t.Fatalf("tones %v", tones)
	}
	r.wantState(door.InCall)
	r.advance(10 * time.Second)
	r.wantState(door.Idle)
	if c.HungUp() != 1 {
		t.Error("not hung up at max_duration")
	}
	r.wantKinds("max-duration-warning,max-duration,call-ended")
}

func TestMaxDurationZeroMeansNoLimit(t *testing.T) {
	cfg := baseConfig()
	cfg.Call.MaxDuration = 0
	r := newRig(t, cfg)
	r.answerCall("sip:101@pbx")
	r.advance(24 * time.Hour)
	r.wantState(door.InCall)
}

func TestReloadDuringCall(t *testing.T) {
	r := newRig(t, baseConfig())
	c := r.answerCall("sip:101@pbx")
	r.advance(20 * time.Second)

	bad := baseConfig()
	bad.Call.Incoming = "sometimes"
	if err := r.c.Apply(bad); err == nil {
		t.Fatal("invalid config applied")
	}
	next := baseConfig()
	next.Call.MaxDuration = 40 * time.Second // warning due at 30s, end at 40s of the call
	next.LEDs = next.LEDs[1:]                // led-reg leaves the config
	r.board.SetLED("led-reg", door.On)
	r.newKinds()
	if err := r.c.Apply(next); err != nil {
		t.Fatal(err)
	}
	s := r.wantState(door.InCall)
	if s.Peer != "sip:101@pbx" || c.HungUp() != 0 {
		t.Fatal("reload dropped the call")
	}
	r.wantKinds("config-reloaded")
	if r.board.LED("led-reg") != door.Off {
		t.Error("removed LED not turned off")
	}
	r.advance(10 * time.Second)
	if len(c.Tones()) != 1 {
		t.Errorf("tones %v after reload shortened the limit", c.Tones())
	}
	r.advance(10 * time.Second)
	r.wantState(door.Idle)

	// A reload that puts the limit below the age of the call ends it at once.
	c2 := r.answerCall("sip:102@pbx")
	r.advance(time.Minute)
	short := next
	short.Call.MaxDuration = 30 * time.Second
	if err := r.c.Apply(short); err != nil {
		t.Fatal(err)
	}
	r.sync()
	r.advance(0)
	r.wantState(door.Idle)
	if c2.HungUp() != 1 {
		t.Error("over-age call not hung up")
	}
}
