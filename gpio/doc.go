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
// Why not periph.io's host/v3 gpioioctl driver, which the design named: it requests a line
// and only then switches it to output, with no initial value, so the kernel drives it low
// first, and an active-low relay board clicks the door open at every start. It also keeps
// package globals and registers drivers at init. The GPIO v2 character device calls needed
// here are a few ioctls over golang.org/x/sys/unix, with the output value in the request.
//
// Two kinds of lines live outside the Board, each in its own line request: Wiegand data lines
// (OpenEdges: falling edges with kernel timestamps, no debounce, a 256-event buffer and
// sequence numbers to count lost edges; decoding is wiegand/'s) and keypads (OpenKeypad:
// matrix scanning or single buttons, debounced). A reader's LED and beeper wires are Board
// outputs, pulsed like relays.
//
// The package must not import sip, media or alsa. Lines come from a Driver: the Linux GPIO
// character device (chip_linux.go), the in-memory sim (sim.go) or gpio/gpiotest's fake.
package gpio
