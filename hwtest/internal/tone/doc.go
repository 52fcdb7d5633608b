// Package tone measures and makes the test signals of the virtual board: a Goertzel
// detector that reports a tone's signal-to-noise ratio, a sine generator and a
// pseudo-random pattern whose start can be found again after a loopback.
//
// It is used on both sides of the virtual board (the guest checker and the host's RTP
// analysis), so it has no OS code and imports nothing from the product.
package tone
