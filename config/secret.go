package config

import (
	"fmt"
	"path/filepath"
	"strings"
)

// password reads key and key_file of t (at path) into dst: a password given inline or in a
// file beside the config, never both.
func (r *reader) password(t map[string]any, path, key, dir string, dst *string) {
	r.str(t, path, key, dst)
	var file string
	r.str(t, path, key+"_file", &file)
	if file == "" {
		return
	}
	if *dst != "" {
		r.fail(join(path, key+"_file"), "both %s and %s_file are set (expected one of them)", key, key)
	} else if pw, err := readSecret(dir, file); err != nil {
		r.fail(join(path, key+"_file"), "%v", err)
	} else {
		*dst = pw
	}
}

func readSecret(dir, path string) (string, error) {
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	b, err := readSideFile(path)
	if err != nil {
		return "", fmt.Errorf("cannot read %s: %w (expected a readable file holding the password)", path, err)
	}
	s := strings.TrimRight(string(b), "\r\n")
	if s == "" {
		return "", fmt.Errorf("%s is empty (expected the password on its first line)", path)
	}
	return s, nil
}
