package audio

import (
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Config)
		keys []string // keys the error must name; none means valid
	}{
		{"defaults", func(*Config) {}, nil},
		{"loopback names", func(c *Config) { c.Capture, c.Playback = "hw:Loopback,1", "hw:Loopback,0" }, nil},
		{"tone and null", func(c *Config) { c.Capture, c.Playback = "tone:440", "null" }, nil},
		{"bad hw device number", func(c *Config) { c.Capture = "hw:0,x" }, []string{"capture"}},
		{"hw without card", func(c *Config) { c.Playback = "hw:" }, []string{"playback"}},
		{"tone as playback", func(c *Config) { c.Playback = "tone:440" }, []string{"playback"}},
		{"volume and period", func(c *Config) { c.Volume, c.Period = 101, 15*time.Millisecond }, []string{"volume", "period"}},
		{"periods", func(c *Config) { c.Periods = 1 }, []string{"periods"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Defaults()
			tt.mod(&c)
			err := c.Validate()
			if len(tt.keys) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Validate() = nil")
			}
			for _, k := range tt.keys {
				if !strings.Contains(err.Error(), k+":") {
					t.Errorf("error %q does not name %q", err, k)
				}
			}
		})
	}
}
