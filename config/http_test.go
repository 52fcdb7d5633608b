package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/doorsip/intercom/internal/httpapi"
)

func TestHTTPSection(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ha-secret"), []byte("long-enough\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := "[audio]\ncapture = \"tone:440\"\nplayback = \"null\"\n"
	c, err := Parse(filepath.Join(dir, "a.toml"), []byte(base+`[http]
listen = "127.0.0.1:8443"
[[http.user]]
name = "ha"
password_file = "ha-secret"
privileges = ["status", "door"]
[[http.user]]
name = "log"
password = "another-one"
privileges = ["log"]
`))
	if err != nil {
		t.Fatal(err)
	}
	h := c.HTTP
	if !h.Enabled() || h.Listen != "127.0.0.1:8443" || len(h.Users) != 2 || h.Users[0].Password != "long-enough" ||
		!h.Users[0].Can(httpapi.PrivDoor) || h.Users[1].Can(httpapi.PrivDoor) || h.StateDir != "/var/lib/intercom" {
		t.Errorf("http = %+v", h)
	}
	if off, err := Parse("b.toml", []byte(base)); err != nil || off.HTTP.Enabled() {
		t.Errorf("no [http]: %+v %v", off.HTTP, err)
	}
	_, err = Parse("c.toml", []byte(base+`[http]
listen = "everywhere"
digest = ["SHA-1"]
[[http.user]]
name = "ha"
password = "short"
privileges = ["admin"]
colour = "red"
`))
	var probs Errors
	if !errors.As(err, &probs) {
		t.Fatalf("err = %v", err)
	}
	for _, w := range []string{"c.toml:5: http.listen", "c.toml:6: http.digest", "c.toml:9: http.user[0].password",
		"c.toml:10: http.user[0].privileges", "c.toml:11: http.user[0].colour"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("no %q in:\n%v", w, err)
		}
	}
}
