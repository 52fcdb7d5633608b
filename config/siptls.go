package config

// checkSIPTLSFiles checks the files [sip.tls] names, which sip/ reads when it starts: each
// must be a regular file of at most maxSideFile bytes (a FIFO would hang start-up, /dev/zero
// fill memory). Relative paths are taken from the config file's folder, as for the other
// files the config names.
func (c *Config) checkSIPTLSFiles(r *reader, dir string) {
	t := &c.SIP.TLS
	for _, f := range []struct {
		key  string
		path *string
	}{{"sip.tls.cert", &t.Cert}, {"sip.tls.key", &t.Key}, {"sip.tls.ca", &t.CA}} {
		if *f.path == "" {
			continue
		}
		*f.path = abs(dir, *f.path)
		if err := checkSideFile(*f.path); err != nil {
			r.fail(f.key, "cannot read %s: %v (expected a PEM file)", *f.path, err)
		}
	}
}
