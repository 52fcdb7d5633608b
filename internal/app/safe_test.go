package app

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/config"
	"github.com/doorsip/intercom/gpio/gpiotest"
	"github.com/doorsip/intercom/internal/clock"
)

// safeConfig: a door relay (active low, as most relay boards are), an aux relay and a status
// LED on a fake chip, events in dir.
func safeConfig(t *testing.T, dir string) *config.Config {
	t.Helper()
	src := `
[sip]
listen = "127.0.0.1:0"
[gpio]
chip = "fake"
[[led]]
name = "status"
line = 1
show = "registered"
[door]
relay_line = 3
relay_active_low = true
[log]
events = "` + filepath.Join(dir, "events.jsonl") + `"
[control]
socket = ""
`
	cfg, err := config.Parse("safe.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestSafe: `intercom safe` after a kill. The fake chip plays a Raspberry Pi kernel that kept
// the door relay energised; Safe finds it, drives it and the LED safe, releases the lines and
// leaves an event for the next run to show.
func TestSafe(t *testing.T) {
	tests := []struct {
		name  string
		leave []string
		want  []string
	}{
		{"door left open", []string{"door", "status"}, []string{"door"}},
		{"stopped cleanly", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := safeConfig(t, dir)
			clk := clock.NewFake(time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC))
			fake := gpiotest.New(clk)
			for _, n := range tc.leave {
				fake.Leave(n)
			}
			found, err := Safe(cfg, Options{Clock: clk, GPIODriver: fake})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(found, tc.want) {
				t.Errorf("found %q, want %q", found, tc.want)
			}
			if !fake.Released() {
				t.Error("lines not released")
			}
			for _, n := range []string{"door", "status"} {
				for _, c := range fake.History(n) {
					if c.On {
						t.Errorf("%s driven on at %v", n, c.At)
					}
				}
			}
			data, _ := os.ReadFile(filepath.Join(dir, "events.jsonl"))
			got := strings.Count(string(data), `"kind":"relay-found-active","relay":"door","by":"safe"`)
			if got != len(tc.want) {
				t.Errorf("event log has %d relay-found-active entries, want %d:\n%s", got, len(tc.want), data)
			}
		})
	}
}

// TestRelayFoundActiveAtStart: a run that starts on a relay the last one left energised
// (no `intercom safe` in between, e.g. run by hand) records it and starts with the door shut.
func TestRelayFoundActiveAtStart(t *testing.T) {
	cfg := safeConfig(t, t.TempDir())
	cfg.Door.Events.Path = ""
	clk := clock.NewFake(time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC))
	fake := gpiotest.New(clk)
	fake.Leave("door")
	a, err := New(cfg, Options{Clock: clk, GPIODriver: fake})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if fake.Output("door") {
		t.Error("door relay energised after New")
	}
	var n int
	for _, e := range a.events.Recent() {
		if e.Kind == EventRelayFoundActive && e.String("relay") == "door" && e.String("by") == "start" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d relay-found-active events, want 1: %+v", n, a.events.Recent())
	}
}
