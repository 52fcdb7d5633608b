package door_test

import (
	"strings"
	"testing"

	"github.com/doorsip/intercom/internal/door"
)

// TestLEDPatternConfigured: [[led]] pattern replaces the show's default while it holds;
// the LED is off otherwise.
func TestLEDPatternConfigured(t *testing.T) {
	cfg := baseConfig()
	cfg.LEDs = []door.LED{
		{Name: "led-reg", Show: "registered", Pattern: "blip"},
		{Name: "led-ring", Show: "ringing", Pattern: "slow-blink"},
		{Name: "led-call", Show: "in-call"}, // default: on
		{Name: "led-err", Show: "error", Pattern: "double-blip"},
	}
	r := newRig(t, cfg)
	r.push(door.PhoneEvent{Kind: door.Registration, Account: "a", Registered: true})
	r.sync()
	if got := r.board.LED("led-reg"); got != door.Blip {
		t.Errorf("registered: %v, want blip", got)
	}
	r.press("bell")
	if got := r.board.LED("led-ring"); got != door.SlowBlink {
		t.Errorf("ringing: %v, want slow-blink", got)
	}
	r.push(door.PhoneEvent{Kind: door.Answered, Call: r.phone.Last("sip:101@pbx")})
	if r.board.LED("led-ring") != door.Off || r.board.LED("led-call") != door.On {
		t.Errorf("in call: ring %v call %v", r.board.LED("led-ring"), r.board.LED("led-call"))
	}
	r.push(door.PhoneEvent{Kind: door.Registration, Account: "a", Registered: false, Code: 403, Reason: "forbidden"})
	r.sync()
	if got := r.board.LED("led-err"); got != door.DoubleBlip {
		t.Errorf("error: %v, want double-blip", got)
	}
}

func TestLEDPatternDefaults(t *testing.T) {
	for show, want := range map[door.LEDShow]door.LEDPattern{"registered": door.On, "ringing": door.FastBlink,
		"in-call": door.On, "door-open": door.On, "error": door.SlowBlink, "mwi": door.SlowBlink} {
		if got := door.DefaultLEDPattern(show); got != want {
			t.Errorf("%s: %v, want %v", show, got, want)
		}
	}
	for p := door.Off; p <= door.DoubleBlip; p++ {
		if q, ok := door.ParseLEDPattern(p.String()); !ok || q != p {
			t.Errorf("%v does not read back", p)
		}
	}
	cfg := baseConfig()
	cfg.LEDs[0].Pattern = "strobe"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "led[0].pattern") {
		t.Errorf("bad pattern: %v", err)
	}
}
