package hwtest

import "fmt"

// The Raspberry Pi's 40-pin header (every model since the B+, Zero included; the Pi 5's RP1
// keeps the same numbers): GPIO line offsets on the header's gpiochip are BCM numbers, which
// are not the pin numbers printed beside the header. The wiring a real-board test prints
// names both, and the ground or 3.3 V pin the other end of each wire goes to.
var headerPins = [28]int{
	0: 27, 1: 28, 2: 3, 3: 5, 4: 7, 5: 29, 6: 31, 7: 26, 8: 24, 9: 21, 10: 19, 11: 23, 12: 32,
	13: 33, 14: 8, 15: 10, 16: 36, 17: 11, 18: 12, 19: 35, 20: 38, 21: 40, 22: 15, 23: 16,
	24: 18, 25: 22, 26: 37, 27: 13,
}

// The header's other pins; a wire's far end is named by the ground or 3.3 V pin beside it.
var (
	groundPins = []int{6, 9, 14, 20, 25, 30, 34, 39}
	supplyPins = []int{1, 17} // 3.3 V
)

// bcmUse is what the Pi itself may already use a line for: a wire there works only with that
// function off.
var bcmUse = map[int]string{
	0: "ID EEPROM (I2C0): leave free", 1: "ID EEPROM (I2C0): leave free",
	2: "I2C1 SDA, 1.8 kΩ pull-up on the board", 3: "I2C1 SCL, 1.8 kΩ pull-up on the board",
	7: "SPI0 CE1", 8: "SPI0 CE0", 9: "SPI0 MISO", 10: "SPI0 MOSI", 11: "SPI0 SCLK",
	14: "UART TX (serial console)", 15: "UART RX (serial console)",
	18: "I2S BCLK (an I2S sound HAT uses it)", 19: "I2S LRCLK (an I2S sound HAT uses it)",
	20: "I2S DIN (an I2S sound HAT uses it)", 21: "I2S DOUT (an I2S sound HAT uses it)",
}

// HeaderPin returns the 40-pin header's pin for BCM line bcm, or 0 when the line is not on
// the header.
func HeaderPin(bcm int) int {
	if bcm < 0 || bcm >= len(headerPins) {
		return 0
	}
	return headerPins[bcm]
}

// nearest returns the pin of pins closest to pin on the header (ties: the lower one).
func nearest(pin int, pins []int) int {
	best := pins[0]
	for _, p := range pins[1:] {
		if abs(p-pin) < abs(best-pin) {
			best = p
		}
	}
	return best
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// Wire describes the wire(s) of one line on a Pi header: kind is button, input, led or
// relay; activeLow and bias as in the config. It names the header pin of the BCM line and
// where the other end goes.
func Wire(kind string, bcm int, activeLow bool, bias string) string {
	pin := HeaderPin(bcm)
	if pin == 0 {
		return fmt.Sprintf("BCM%d is not on the 40-pin header", bcm)
	}
	gnd, v33 := nearest(pin, groundPins), nearest(pin, supplyPins)
	s := fmt.Sprintf("BCM%d = header pin %d", bcm, pin)
	switch kind {
	case "button", "input":
		switch {
		case activeLow || bias == "pull-up":
			// Pulled up, the switch pulls the line to ground: active while closed when
			// active low, while open when active high (a door contact: open door, line high).
			s += fmt.Sprintf(" -> switch -> GND (pin %d)", gnd)
			if !activeLow {
				s += ", active while the switch is open"
			}
			if bias != "pull-up" {
				s += "; needs a pull-up (bias = \"pull-up\" or a resistor to 3.3 V)"
			}
		default:
			s += fmt.Sprintf(" -> switch -> 3.3 V (pin %d)", v33)
			if bias != "pull-down" {
				s += "; needs a pull-down (bias = \"pull-down\" or a resistor to GND)"
			}
		}
	case "led":
		if activeLow {
			s += fmt.Sprintf(" -> 330 Ω -> LED cathode; anode to 3.3 V (pin %d)", v33)
		} else {
			s += fmt.Sprintf(" -> 330 Ω -> LED anode; cathode to GND (pin %d)", gnd)
		}
	case "relay":
		s += fmt.Sprintf(" -> relay module IN; module GND to GND (pin %d), module VCC to its own supply", gnd)
		if activeLow {
			s += " (low-trigger module)"
		}
	}
	if use, ok := bcmUse[bcm]; ok {
		s += "; BCM" + fmt.Sprint(bcm) + " is also " + use
	}
	return s
}

// OnPiHeader reports whether chip names the gpiochip of a Raspberry Pi's header: by label
// (pinctrl-bcm2835 up to the Pi 3, pinctrl-bcm2711 on the Pi 4, pinctrl-rp1 on the Pi 5) or
// by the device names it gets (gpiochip0; gpiochip4 for the Pi 5's RP1 on older kernels).
func OnPiHeader(chip string) bool {
	switch chip {
	case "pinctrl-bcm2835", "pinctrl-bcm2711", "pinctrl-rp1", "gpiochip0", "/dev/gpiochip0", "gpiochip4", "/dev/gpiochip4":
		return true
	}
	return false
}
