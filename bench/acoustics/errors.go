package main

import "errors"

var (
	// errNoPeer is a peer that cannot run here (no compiler, header or library).
	errNoPeer = errors.New("acoustics: peer not available")
	// errWAV is a file that is not the 16-bit mono PCM WAV espeak-ng writes.
	errWAV = errors.New("acoustics: not a 16-bit mono PCM WAV")
)
