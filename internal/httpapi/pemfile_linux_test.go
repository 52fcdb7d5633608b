package httpapi

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A FIFO, a device and an oversized file named as a certificate, key or CA are refused
// without waiting on the FIFO or reading the device without end.
func TestReadPEMFileRefuses(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.pem")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	big := filepath.Join(dir, "big.pem")
	if err := os.WriteFile(big, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, maxPEMFile+1); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{fifo, "/dev/zero", big, dir} {
		if _, err := readPEMFile(path); !errors.Is(err, ErrPEMFile) {
			t.Errorf("%s: err = %v, want ErrPEMFile", path, err)
		}
		if _, err := loadKeyPair(path, path); !errors.Is(err, ErrPEMFile) {
			t.Errorf("key pair %s: err = %v, want ErrPEMFile", path, err)
		}
	}
	if err := os.Truncate(big, maxPEMFile); err != nil {
		t.Fatal(err)
	}
	if b, err := readPEMFile(big); err != nil || len(b) != maxPEMFile {
		t.Fatalf("%d bytes, %v", len(b), err)
	}
}
