// Package audio turns an [audio] device string into a media.Capture or media.Playback:
// "hw:CARD,DEV" is an ALSA PCM (through alsa/) that survives its card being unplugged,
// "tone:HZ", "silence", "null" and "file:X.wav" are media's clock-paced stand-ins. It also
// applies the mixer levels from the config and provides the installer's tools behind
// `intercom audio list` and `intercom audio test` (round-trip latency on a loopback).
//
// It is the only package that imports both alsa and media; neither knows about the other.
package audio
