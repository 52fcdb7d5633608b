// Package alsatest simulates a sound card for tests: PCM is an alsa.Device that refines hw
// params against a capability table, produces a counting pattern on capture, records what is
// played, and injects xruns, suspends and unplugs on demand. It needs no /dev/snd.
package alsatest
