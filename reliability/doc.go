//go:build linux

// Package reliability holds the intercom's fault, hostile-input, soak and fuzz tests. It has
// no code of its own: every test drives a real App in-process or the real binary
// against sipp, raw UDP sockets and tiny filesystems, all on loopback or inside network
// namespaces the tests create and remove. Long runs sit behind INTERCOM_SOAK=1 (make soak).
package reliability
