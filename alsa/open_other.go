//go:build !(linux && (386 || amd64 || arm || arm64 || riscv64 || loong64))

package alsa

import (
	"fmt"
	"io/fs"
)

// Without Linux ALSA every device is absent; the rest of the package (parsing, parameter
// selection against a Device) still works, so tests and tools build everywhere.

func procAsound() fs.FS { return noProcFS{} }

// noProcFS is /proc/asound where there is none: every file is absent, for want of Linux.
type noProcFS struct{}

func (noProcFS) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: ErrNotLinux}
}

// OpenPCM reports ErrNotLinux.
func OpenPCM(name string, dir Direction, want Params) (*PCM, error) {
	return nil, fmt.Errorf("alsa: open %s: %w", name, ErrNotLinux)
}

// Probe reports ErrNotLinux.
func Probe(name string, dir Direction) (Caps, error) {
	return Caps{}, fmt.Errorf("alsa: probe %s: %w", name, ErrNotLinux)
}

// OpenMixer reports ErrNotLinux.
func OpenMixer(card string) (*Mixer, error) {
	return nil, fmt.Errorf("alsa: mixer %s: %w", card, ErrNotLinux)
}
