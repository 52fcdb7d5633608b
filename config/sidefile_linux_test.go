package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A FIFO named as a side file is refused before it is opened: opening it would wait for a
// writer and hang start-up or a reload.
func TestSideFileFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "secret")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for _, src := range []string{
		"[mqtt]\npassword_file = \"secret\"\n",
		"[mqtt]\nca = \"secret\"\n",
		"[access]\nusers_file = \"secret\"\n",
	} {
		_, err := Parse(filepath.Join(dir, "f.toml"), []byte(src))
		if err == nil || !strings.Contains(err.Error(), "not a regular file (a named pipe)") {
			t.Errorf("%q: err = %v", src, err)
		}
	}
}

func TestSideFileTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users.toml")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, maxSideFile+1); err != nil {
		t.Fatal(err)
	}
	if _, err := readSideFile(path); !errors.Is(err, errSideFileSize) {
		t.Fatalf("err = %v, want errSideFileSize", err)
	}
	if err := os.Truncate(path, maxSideFile); err != nil {
		t.Fatal(err)
	}
	if b, err := readSideFile(path); err != nil || len(b) != maxSideFile {
		t.Fatalf("%d bytes, %v", len(b), err)
	}
}
