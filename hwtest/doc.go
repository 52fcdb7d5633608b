// Package hwtest holds the hardware-in-the-loop checks of the intercom.
//
// Two kinds live here:
//   - hwtest_test.go (build tag hwtest): tests for a real board (a Raspberry Pi with the
//     wiring of its intercom.toml). Each prints the wiring it expects and fails with a clear
//     message when the chip, a line or the sound card is missing. `make hwtest PI=host` runs
//     them over SSH through board.sh. On a Raspberry Pi's header chip the wiring names, for
//     every line, its BCM number, header pin and where the other end goes (pinmap.go;
//     TestHeaderPins checks the map and the README's wiring table against each other).
//   - vboard/: the virtual board, Debian's kernel under QEMU with snd-aloop and gpio-sim,
//     where the real static binary and the real-kernel go tests run in CI (`make vboard`).
//
// Nothing here is part of the product binary.
package hwtest
