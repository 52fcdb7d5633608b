package app

import (
	"fmt"
	"testing"
	"time"

	"github.com/doorsip/intercom/config"
	"github.com/doorsip/intercom/internal/eventlog"
)

// TestTwoNEvents: event-log entries as 2N clients and action URLs see them.
func TestTwoNEvents(t *testing.T) {
	cfg, err := config.Parse("t.toml", []byte("[audio]\ncapture = \"tone:440\"\nplayback = \"null\"\n[gpio]\nchip = \"sim\"\n"+
		"[[button]]\nname = \"bell\"\nline = 0\naction = \"answer\"\n[[input]]\nname = \"contact\"\nline = 2\n[sip]\ndisplay_name = \"Front\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	a := &App{cfg: cfg}
	at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	entry := func(kind eventlog.Kind, kv ...any) eventlog.Entry {
		e := eventlog.Entry{Time: at, Kind: kind}
		for i := 0; i+1 < len(kv); i += 2 {
			e.Fields = append(e.Fields, eventlog.Field{Key: kv[i].(string), Value: kv[i+1]})
		}
		return e
	}
	tests := []struct {
		e    eventlog.Entry
		want string // "" = no 2N event
	}{
		{entry("started"), "DeviceState map[state:startup]"},
		{entry("input", "name", "bell", "edge", "press", "via", "gpio"), "KeyPressed map[key:bell]"},
		{entry("input", "name", "bell", "edge", "release", "via", "gpio"), "KeyReleased map[key:bell]"},
		{entry("input", "name", "bell", "edge", "long-press", "via", "gpio"), ""},
		{entry("input", "name", "contact", "edge", "press", "via", "gpio"), "InputChanged map[port:contact state:true]"},
		{entry("door-open", "by", "mqtt user ha", "via", "mqtt", "for", time.Second), "SwitchStateChanged map[by:mqtt user ha state:true switch:1 via:mqtt]"},
		{entry("door-released"), "SwitchStateChanged map[state:false switch:1]"},
		{entry("incoming", "from", "sip:101@pbx", "call", "c1"), "CallStateChanged map[direction:incoming peer:sip:101@pbx session:1 state:ringing]"},
		{entry("answered", "peer", "sip:101@pbx", "direction", "incoming"), "CallStateChanged map[direction:incoming peer:sip:101@pbx session:1 state:connected]"},
		{entry("call-ended", "peer", "sip:101@pbx", "by", "remote"), "CallStateChanged map[direction: peer:sip:101@pbx session:1 state:terminated]"},
		{entry("registration", "account", "pbx", "registered", true), "RegistrationStateChanged map[sipAccount:pbx state:registered]"},
		{entry("door-held-open", "for", time.Minute), "DoorOpenTooLong map[state:true]"},
		{entry("tamper"), "TamperSwitchActivated map[state:true]"},
		{entry("config-reloaded"), ""},
	}
	for _, tt := range tests {
		evs := twoNEvents(a, tt.e)
		got := ""
		if len(evs) == 1 {
			got = fmt.Sprintf("%s %v", evs[0].Name, evs[0].Params)
			if !evs[0].Time.Equal(at) {
				t.Errorf("%s: time %v", tt.e.Kind, evs[0].Time)
			}
		}
		if got != tt.want || len(evs) > 1 {
			t.Errorf("%s %v: %q, want %q", tt.e.Kind, tt.e.Fields, got, tt.want)
		}
	}

	// The same entries as action events: the entry itself, and ring / long-press for a button.
	ring := actionEvents(a, entry("input", "name", "bell", "edge", "press", "via", "gpio"), "door1")
	if len(ring) != 2 || ring[1].Kind != "ring" || ring[1].Vars["button"] != "bell" || ring[1].Vars["caller"] != "Front" || ring[1].Vars["host"] != "door1" {
		t.Errorf("ring action events %+v", ring)
	}
	open := actionEvents(a, entry("door-open", "by", "api user x", "via", "api"), "door1")
	if len(open) != 1 || open[0].Vars["by"] != "api user x" || open[0].Vars["via"] != "api" {
		t.Errorf("door-open action events %+v", open)
	}
}
