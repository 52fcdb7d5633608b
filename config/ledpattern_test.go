package config

import (
	"strings"
	"testing"
)

func TestLEDPattern(t *testing.T) {
	src := "[gpio]\nchip = \"sim\"\n[[led]]\nname = \"s\"\nline = 3\nshow = \"ringing\"\npattern = \"slow-blink\"\n"
	c, err := Parse("f.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Door.LEDs) != 1 || c.Door.LEDs[0].Pattern != "slow-blink" {
		t.Errorf("leds %+v", c.Door.LEDs)
	}
	_, err = Parse("f.toml", []byte(strings.Replace(src, "slow-blink", "strobe", 1)))
	if err == nil || !strings.Contains(err.Error(), "f.toml:7: led[0].pattern") {
		t.Errorf("err = %v, want f.toml:7: led[0].pattern", err)
	}
}
