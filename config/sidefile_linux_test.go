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
		"[sip.tls]\ncert = \"secret\"\n",
		"[sip.tls]\nkey = \"secret\"\n",
		"[sip.tls]\nca = \"secret\"\n",
		"[http]\ntls_cert = \"secret\"\n",
		"[http]\ntls_key = \"secret\"\n",
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

// The files other packages read at start-up (TLS certificates, keys, CAs) are checked when
// the config is parsed, and the error names the key's line and the path.
func TestSideFileDeviceAndSizeChecked(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.pem")
	if err := os.WriteFile(big, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, maxSideFile+1); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ src, want string }{
		{"[sip.tls]\n\nca = \"/dev/zero\"\n", "f.toml:3: sip.tls.ca: cannot read /dev/zero: read /dev/zero: not a regular file (a device)"},
		{"[http]\ntls_cert = \"/dev/zero\"\n", "f.toml:2: http.tls_cert: cannot read /dev/zero: read /dev/zero: not a regular file (a device)"},
		{"[sip.tls]\ncert = \"big.pem\"\n", "f.toml:2: sip.tls.cert: cannot read " + big + ": read " + big + ": file too large"},
		{"[http]\ntls_key = \"big.pem\"\n", "f.toml:2: http.tls_key: cannot read " + big + ": read " + big + ": file too large"},
	} {
		_, err := Parse(filepath.Join(dir, "f.toml"), []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.src, err, tc.want)
		}
	}
}
