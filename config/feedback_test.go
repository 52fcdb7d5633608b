package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFeedbackSection(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "bad.wav"), []byte("not a wav"), 0o644)
	name := filepath.Join(dir, "f.toml")
	c, err := Parse(name, []byte("[feedback]\nringback = \"builtin\"\nbusy = \"off\"\nvolume = 30\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Feedback.Volume != 30 || !c.Prompts.Has(1) || c.Prompts.Has(2) {
		t.Errorf("feedback = %+v", c.Feedback)
	}
	_, err = Parse(name, []byte("[feedback]\nringback = \"builtin\"\nbusy = \"bad.wav\"\nvolume = 300\n"))
	for _, want := range []string{"f.toml:3: feedback.busy", "bad.wav", "f.toml:4: feedback.volume"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to name %q", err, want)
		}
	}
}
