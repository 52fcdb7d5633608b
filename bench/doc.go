//go:build linux

// Command bench measures the intercom side by side with baresip on loopback, on the same
// work, in one run, and prints ratios (us/baresip): absolute figures on a shared machine are
// noise, ratios taken in the same minute are not.
//
// It starts Kamailio as a digest registrar, the intercom and baresip each registered as their
// own user with auto-answer, PCMA 20 ms and an 8 kHz WAV as the microphone, tcpdump on lo,
// and sipp as the calling side (with RTP echo, so each peer also receives audio). SIP and RTP
// timings come from the capture, memory and CPU from /proc.
//
//	go run ./bench            # full run (about 3 minutes), writes bench/results/latest.{md,json}
//	go run ./bench -smoke     # about 10 s: asserts the harness works, exits 1 when it does not
//
// Every process it starts runs in its own process group and is killed when bench returns,
// fails or is interrupted. Only 127.0.0.1 is used.
package main
