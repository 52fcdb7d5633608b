package httpapi

import (
	"crypto/tls"
	"fmt"
	"io"
	"os"
	"syscall"
)

// maxPEMFile bounds a certificate, key or CA bundle: each holds kilobytes.
const maxPEMFile = 4 << 20

// readPEMFile reads a certificate, key or CA file at start-up. Only a regular file of at
// most maxPEMFile bytes will do: a FIFO would hang start-up waiting for a writer and
// /dev/zero would be read until memory ran out. O_NONBLOCK keeps the open itself from
// waiting on a FIFO; the type is checked on the open file, so a file swapped after a check
// cannot slip through.
func readPEMFile(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file (%s)", ErrPEMFile, path, st.Mode().Type())
	}
	b, err := io.ReadAll(io.LimitReader(f, maxPEMFile+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(b) > maxPEMFile {
		return nil, fmt.Errorf("%w: %s is over %d bytes", ErrPEMFile, path, maxPEMFile)
	}
	return b, nil
}

// loadKeyPair is tls.LoadX509KeyPair through readPEMFile.
func loadKeyPair(certFile, keyFile string) (tls.Certificate, error) {
	cert, err := readPEMFile(certFile)
	if err != nil {
		return tls.Certificate{}, err
	}
	key, err := readPEMFile(keyFile)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.X509KeyPair(cert, key)
}
