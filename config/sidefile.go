package config

import (
	"fmt"
	"io"
	"os"
)

// maxSideFile bounds a file the config names (a password, a CA bundle, the users file): each
// holds kilobytes. Without a bound a path such as /dev/zero is read until memory runs out.
const maxSideFile = 4 << 20

// readSideFile reads a file the config names. Only a regular file will do: opening a FIFO
// waits for a writer and a terminal for a line, either of which would hang start-up or a
// reload with nothing logged.
func readSideFile(path string) ([]byte, error) {
	if err := checkSideFile(path); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSideFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxSideFile {
		return nil, &os.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w (over %d bytes)", errSideFileSize, maxSideFile)}
	}
	return b, nil
}

// checkSideFile is readSideFile's check alone, for a file another package reads when it
// starts (a TLS certificate, key or CA): a regular file of at most maxSideFile bytes.
func checkSideFile(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return &os.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w (%s)", errNotRegular, fileKind(st.Mode()))}
	}
	if st.Size() > maxSideFile {
		return &os.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w (over %d bytes)", errSideFileSize, maxSideFile)}
	}
	return nil
}

// fileKind names what a non-regular file is, for the error.
func fileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "special"
}
