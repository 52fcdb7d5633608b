// Package gpio drives the intercom's buttons, sensor inputs, LEDs and door relays.
//
// A Board owns every line of one gpiochip (or of the in-memory "sim" chip). Run watches the
// inputs' edges, debounces them with the injected clock and turns them into Press, Release
// and LongPress events; it also plays LED patterns and ends relay pulses. What a button means
// is the controller's business, not gpio's.
//
// Safety is gpio's business: an output's inactive level is part of the line request, so the
// line is never driven active while it becomes an output, and Close and Halt drive every relay
// and LED back to its inactive level. Active-low polarity is converted in one place (the
// Board); the Lines backends only see physical levels.
//
// The package must not import sip, media or alsa. Lines come from a Driver: the Linux GPIO
// character device (chip_linux.go), the in-memory sim (sim.go) or gpio/gpiotest's fake.
package gpio
