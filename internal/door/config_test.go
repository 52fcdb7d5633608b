package door

import (
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/cfgerr"
)

func validConfig() Config {
	c := Defaults()
	b := ButtonDefaults()
	b.Name, b.Call = "bell", []string{"sip:101@pbx"}
	c.Buttons = []Button{b}
	c.LEDs = []LED{{Name: "status", Show: "registered"}}
	c.Door.ExitButton = "exit"
	return c
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		mut     func(*Config)
		wantKey string // "" = valid
	}{
		{"defaults plus a button", func(*Config) {}, ""},
		{"no limit", func(c *Config) { c.Call.MaxDuration = 0 }, ""},
		{"bad action", func(c *Config) { c.Buttons[0].Action = "ring" }, "button[0].action"},
		{"call without targets", func(c *Config) { c.Buttons[0].Call = nil }, "button[0].call"},
		{"bad ring mode", func(c *Config) { c.Buttons[0].RingMode = "random" }, "button[0].ring_mode"},
		{"ring timeout too short", func(c *Config) { c.Buttons[0].RingTimeout = time.Millisecond }, "button[0].ring_timeout"},
		{"unnamed button", func(c *Config) { c.Buttons[0].Name = "" }, "button[0].name"},
		{"duplicate button", func(c *Config) { c.Buttons = append(c.Buttons, c.Buttons[0]) }, "button[1].name"},
		{"bad LED show", func(c *Config) { c.LEDs[0].Show = "disco" }, "led[0].show"},
		{"duplicate LED", func(c *Config) { c.LEDs = append(c.LEDs, c.LEDs[0]) }, "led[1].name"},
		{"open_for too long", func(c *Config) { c.Door.OpenFor = time.Hour }, "door.open_for"},
		{"bad DTMF code", func(c *Config) { c.Door.DTMFCode = "12x" }, "door.dtmf_code"},
		{"lockout too long", func(c *Config) { c.Door.LockoutFor = 48 * time.Hour }, "door.lockout_for"},
		{"lockout_max below lockout_for", func(c *Config) { c.Door.LockoutMax = time.Minute }, "door.lockout_max"},
		{"lockout_max too long", func(c *Config) { c.Door.LockoutMax, c.Door.LockoutReset = 30*24*time.Hour, 30*24*time.Hour }, "door.lockout_max"},
		{"lockout_reset below lockout_max", func(c *Config) { c.Door.LockoutReset = 30 * time.Minute }, "door.lockout_reset"},
		{"negative lockout_global", func(c *Config) { c.Door.LockoutGlobal = -1 }, "door.lockout_global"},
		{"lockout_global beyond the memory", func(c *Config) { c.Door.LockoutGlobal = maxCallers }, "door.lockout_global"},
		{"no backstop", func(c *Config) { c.Door.LockoutGlobal = 0 }, ""},
		{"no lockout across calls", func(c *Config) { c.Door.LockoutFor = 0 }, ""},
		{"no attempts", func(c *Config) { c.Door.MaxAttempts = 0 }, "door.max_attempts"},
		{"bad incoming", func(c *Config) { c.Call.Incoming = "maybe" }, "call.incoming"},
		{"negative max", func(c *Config) { c.Call.MaxDuration = -time.Second }, "call.max_duration"},
		{"warning after the end", func(c *Config) { c.Call.WarnBefore = c.Call.MaxDuration }, "call.warn_before"},
		{"empty allow_from entry", func(c *Config) { c.Call.AllowFrom = []string{"sip:"} }, "call.allow_from[0]"},
		{"empty allowed entry", func(c *Config) { c.Door.Allowed = []string{" "} }, "door.allowed[0]"},
		{"exit is a call button", func(c *Config) { c.Door.ExitButton = "bell" }, "door.exit_button"},
		{"sensor and tamper", func(c *Config) { c.Door.Sensor, c.Door.Tamper, c.Door.HeldOpen = "reed", "lid", time.Minute }, ""},
		{"sensor is the exit input", func(c *Config) { c.Door.Sensor = "exit" }, "door.sensor"},
		{"tamper is a button", func(c *Config) { c.Door.Tamper = "bell" }, "door.tamper"},
		{"held open shorter than open_for", func(c *Config) { c.Door.HeldOpen = time.Second }, "door.held_open"},
		{"tiny event log", func(c *Config) { c.Events.MaxSize = 10 }, "log.events_max_size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			tt.mut(&c)
			err := c.Validate()
			if tt.wantKey == "" {
				if err != nil {
					t.Fatalf("unexpected: %v", err)
				}
				return
			}
			var keys []string
			for _, e := range cfgerr.Split(err) {
				if f, ok := e.(*cfgerr.Field); ok {
					keys = append(keys, f.Key)
				}
			}
			if len(keys) != 1 || keys[0] != tt.wantKey {
				t.Errorf("keys %v, want [%s] (%v)", keys, tt.wantKey, err)
			}
			if !strings.Contains(err.Error(), tt.wantKey) {
				t.Errorf("message %q does not name %s", err, tt.wantKey)
			}
		})
	}
}
