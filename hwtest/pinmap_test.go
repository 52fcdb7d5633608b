//go:build !hwtest

// Not in the real-board binary (tag hwtest): these read the repository (README, example
// config), which a board or the virtual board does not have.

package hwtest

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/doorsip/intercom/config"
)

// TestHeaderPins: the map against the header's layout (odd pins on the left column, even on
// the right; every pin used once), and the README's wiring table against the map.
func TestHeaderPins(t *testing.T) {
	seen := map[int]int{}
	for bcm, pin := range headerPins {
		if pin < 1 || pin > 40 {
			t.Errorf("BCM%d on pin %d", bcm, pin)
		}
		if other, dup := seen[pin]; dup {
			t.Errorf("pin %d carries BCM%d and BCM%d", pin, other, bcm)
		}
		seen[pin] = bcm
	}
	for _, p := range append(append([]int{}, groundPins...), supplyPins...) {
		if b, dup := seen[p]; dup {
			t.Errorf("pin %d is both a supply/ground pin and BCM%d", p, b)
		}
		seen[p] = -1
	}
	// The rest are the 5 V pins 2 and 4.
	if len(seen) != 38 {
		t.Errorf("%d header pins named, want 38 (+ the 5 V pins 2 and 4)", len(seen))
	}
	// Fixed points anyone can check on pinout.xyz.
	for bcm, pin := range map[int]int{2: 3, 4: 7, 14: 8, 17: 11, 22: 15, 27: 13, 21: 40, 26: 37} {
		if got := HeaderPin(bcm); got != pin {
			t.Errorf("BCM%d: pin %d, want %d", bcm, got, pin)
		}
	}
	if HeaderPin(28) != 0 || HeaderPin(-1) != 0 {
		t.Error("lines beyond the header have a header pin")
	}

	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := regexp.MustCompile(`GPIO(\d+) \(pin (\d+)\)`).FindAllStringSubmatch(string(readme), -1)
	if len(rows) < 6 {
		t.Fatalf("README's wiring table: %d GPIO (pin) entries, want at least 6", len(rows))
	}
	for _, r := range rows {
		bcm, _ := strconv.Atoi(r[1])
		pin, _ := strconv.Atoi(r[2])
		if HeaderPin(bcm) != pin {
			t.Errorf("README: GPIO%d on pin %d, the header has it on pin %d", bcm, pin, HeaderPin(bcm))
		}
	}
}

// TestExampleWiring: every line of config/example.toml is on the header and clear of the
// functions a door station's Pi keeps (serial console, ID EEPROM, I2S for a sound HAT).
func TestExampleWiring(t *testing.T) {
	cfg, err := config.Load("../config/example.toml")
	if err != nil {
		t.Fatal(err)
	}
	g := cfg.GPIO
	check := func(kind, name string, line int, activeLow bool, bias string) {
		w := Wire(kind, line, activeLow, bias)
		t.Logf("%-6s %-8s %s", kind, name, w)
		if HeaderPin(line) == 0 || strings.Contains(w, "; BCM") || strings.Contains(w, "needs a pull") {
			t.Errorf("%s %s: %s", kind, name, w)
		}
	}
	for _, i := range g.Buttons {
		check("button", i.Name, i.Line, i.ActiveLow, i.Bias)
	}
	for _, i := range g.Inputs {
		check("input", i.Name, i.Line, i.ActiveLow, i.Bias)
	}
	for _, o := range g.LEDs {
		check("led", o.Name, o.Line, o.ActiveLow, "")
	}
	for _, o := range g.Relays {
		check("relay", o.Name, o.Line, o.ActiveLow, "")
	}
}

func TestWire(t *testing.T) {
	tests := []struct {
		kind      string
		bcm       int
		activeLow bool
		bias      string
		want      string
	}{
		{"button", 17, true, "pull-up", "BCM17 = header pin 11 -> switch -> GND (pin 9)"},
		{"button", 17, true, "", "needs a pull-up"},
		{"input", 24, false, "pull-up", "BCM24 = header pin 18 -> switch -> GND (pin 20), active while the switch is open"},
		{"input", 5, false, "pull-down", "BCM5 = header pin 29 -> switch -> 3.3 V (pin 17)"},
		{"input", 5, false, "", "needs a pull-down"},
		{"led", 27, false, "", "BCM27 = header pin 13 -> 330 Ω -> LED anode; cathode to GND (pin 14)"},
		{"relay", 22, true, "", "BCM22 = header pin 15 -> relay module IN; module GND to GND (pin 14), module VCC to its own supply (low-trigger module)"},
		{"relay", 18, false, "", "BCM18 is also I2S BCLK"},
		{"led", 30, false, "", "BCM30 is not on the 40-pin header"},
	}
	for _, tc := range tests {
		if got := Wire(tc.kind, tc.bcm, tc.activeLow, tc.bias); !strings.Contains(got, tc.want) {
			t.Errorf("Wire(%s, %d, %v, %q) = %q, want it to contain %q", tc.kind, tc.bcm, tc.activeLow, tc.bias, got, tc.want)
		}
	}
}
