package config

import (
	"fmt"

	"github.com/doorsip/intercom/internal/httpapi"
)

// readHTTP reads [http] and its [[http.user]] tables.
func (c *Config) readHTTP(r *reader, t map[string]any, dir string) {
	h := &c.HTTP
	s, ok := r.section(t, "", "http")
	if !ok {
		return
	}
	s.str("listen", &h.Listen)
	s.str("tls_cert", &h.TLSCert)
	s.str("tls_key", &h.TLSKey)
	s.str("state_dir", &h.StateDir)
	s.strs("digest", &h.Digest)
	for _, f := range []*string{&h.TLSCert, &h.TLSKey} {
		if *f != "" {
			if err := checkSideFile(abs(dir, *f)); err != nil {
				key := "http.tls_cert"
				if f == &h.TLSKey {
					key = "http.tls_key"
				}
				r.fail(key, "cannot read %s: %v (expected a PEM file)", abs(dir, *f), err)
			}
			*f = abs(dir, *f)
		}
	}
	for i, u := range r.subtables(s.t, "http", "user") {
		p := fmt.Sprintf("http.user[%d]", i)
		var user httpapi.User
		r.str(u, p, "name", &user.Name)
		r.password(u, p, "password", dir, &user.Password)
		var privs []string
		r.strs(u, p, "privileges", &privs)
		for _, pr := range privs {
			user.Privileges = append(user.Privileges, httpapi.Privilege(pr))
		}
		r.unknown(u, p)
		h.Users = append(h.Users, user)
	}
	s.done()
}

func abs(dir, p string) string {
	if p == "" || p[0] == '/' {
		return p
	}
	return dir + "/" + p
}
