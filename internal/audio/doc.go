// Package audio turns an [audio] device string into a media.Capture or media.Playback:
// "hw:CARD,DEV" is an ALSA PCM (through alsa/) that survives its card being unplugged,
// "tone:HZ", "silence", "null" and "file:X.wav" are media's clock-paced stand-ins. It also
// applies the mixer levels from the config and provides the installer's tools behind
// `intercom audio list` and `intercom audio test` (round-trip latency on a loopback).
//
// OpenDevices puts the hands-free processing (package voice) between a call's two sound
// cards: the playback keeps what it plays as the echo reference, the capture processes each
// 10 ms block against the reference aligned by the cards' DELAY figures. Test devices (tone,
// file, silence, null) are never processed: the demo and tests measure their exact levels.
//
// It is the only package that imports both alsa and media; neither knows about the other.
package audio
