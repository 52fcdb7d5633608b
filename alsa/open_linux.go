//go:build linux && (386 || amd64 || arm || arm64 || riscv64 || loong64)

package alsa

import (
	"fmt"
	"io/fs"
	"os"
)

func procAsound() fs.FS { return os.DirFS("/proc/asound") }

// pcmPath resolves a device string to /dev/snd/pcmC<card>D<dev><p|c>.
func pcmPath(name string, dir Direction) (string, error) {
	n, err := ParseName(name)
	if err != nil {
		return "", err
	}
	cards, cerr := Cards()
	idx, err := n.cardIndex(cards)
	if err != nil {
		if cerr != nil {
			return "", fmt.Errorf("%w (%v)", err, cerr)
		}
		return "", err
	}
	suffix := 'p'
	if dir == Capture {
		suffix = 'c'
	}
	return fmt.Sprintf("/dev/snd/pcmC%dD%d%c", idx, n.Device, suffix), nil
}

// OpenPCM opens a hw: device for capture or playback with parameters near want.
func OpenPCM(name string, dir Direction, want Params) (*PCM, error) {
	path, err := pcmPath(name, dir)
	if err != nil {
		return nil, fmt.Errorf("alsa: open %s: %w", name, err)
	}
	fd, err := openFile(path)
	if err != nil {
		return nil, err
	}
	return OpenDevice(&fileDevice{fd: fd}, name, dir, want)
}

// Probe opens a hw: device just long enough to ask what it supports.
func Probe(name string, dir Direction) (Caps, error) {
	path, err := pcmPath(name, dir)
	if err != nil {
		return Caps{}, fmt.Errorf("alsa: probe %s: %w", name, err)
	}
	fd, err := openFile(path)
	if err != nil {
		return Caps{}, err
	}
	d := &fileDevice{fd: fd}
	defer d.Close()
	return ProbeDevice(d)
}
