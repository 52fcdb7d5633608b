package gpio

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/cfgerr"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(*Config)
		wantKeys []string
	}{
		{"good", func(*Config) {}, nil},
		{"no chip", func(c *Config) { c.Chip = "" }, []string{"chip"}},
		{"debounce too long", func(c *Config) { c.Debounce = 2 * time.Second }, []string{"debounce"}},
		{"long press too short", func(c *Config) { c.LongPress = time.Millisecond }, []string{"long_press"}},
		{"bad bias", func(c *Config) { c.Inputs[0].Bias = "up" }, []string{"input[0].bias"}},
		{"line used twice", func(c *Config) { c.Relays[0].Line = 0 }, []string{"relay[0].line"}},
		{"button and input share a name", func(c *Config) { c.Inputs[0].Name = "bell" }, []string{"input[0].name"}},
		{"led and relay share a name", func(c *Config) { c.Relays[1].Name = "bell" }, []string{"relay[1].name"}},
		{"button and its led may share a name", func(c *Config) { c.LEDs[0].Name = "bell" }, nil},
		{"line out of range", func(c *Config) { c.LEDs[0].Line = 512 }, []string{"led[0].line"}},
		{"missing name", func(c *Config) { c.Buttons[0].Name = "" }, []string{"button[0].name"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := testConfig()
			tc.edit(&c)
			var keys []string
			for _, e := range cfgerr.Split(c.Validate()) {
				var fe *cfgerr.Field
				if !errors.As(e, &fe) {
					t.Fatalf("error %v names no key", e)
				}
				keys = append(keys, fe.Key)
			}
			if strings.Join(keys, ",") != strings.Join(tc.wantKeys, ",") {
				t.Errorf("keys %v, want %v", keys, tc.wantKeys)
			}
		})
	}
}
