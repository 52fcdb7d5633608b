// Package mediatest has fake audio devices for tests of packages that run a media.Session:
// a Playback that records what it is given and a Capture that loops given samples, both
// paced by an injected clock like a sound card, and able to fail on demand like one that was
// unplugged.
package mediatest
