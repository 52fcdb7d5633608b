// Command vboardcheck runs inside the virtual board (a QEMU guest booted by
// hwtest/vboard/run.sh) and checks the real kernel drivers the intercom uses: snd-aloop
// (ALSA loopback) and gpio-sim (a gpiochip driven from sysfs).
//
//	vboardcheck smoke       play a pattern on aloop, capture it back; toggle gpio-sim lines
//	vboardcheck scenario    drive the intercom binary through the call scenario, then
//	                        a second call through a room (echo, a near-end talker) with the
//	                        echo canceller on
//
// It talks to the kernel with raw ioctls on purpose: it must not share code with the
// product's alsa/ and gpio/ packages, whose bugs it is meant to catch. It only runs in
// 64-bit guests (amd64, arm64), where the ALSA and GPIO structs have one layout.
// Each subcommand prints "figure key=value" lines; run.sh's /init folds them into the
// single VBOARD SUCCESS or FAIL line.
package main
