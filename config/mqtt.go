package config

import (
	"os"
	"path/filepath"

	"github.com/doorsip/intercom/internal/mqtt"
)

// readMQTT reads [mqtt]; the client id and topic prefix default to names built from the host
// name, so two doors on one broker never share them.
func (c *Config) readMQTT(r *reader, t map[string]any, dir string) {
	m := &c.MQTT
	if s := r.table(t, "", "mqtt"); s != nil {
		r.str(s, "mqtt", "broker", &m.Broker)
		r.str(s, "mqtt", "username", &m.Username)
		r.str(s, "mqtt", "password", &m.Password)
		var pwFile string
		r.str(s, "mqtt", "password_file", &pwFile)
		if pwFile != "" {
			if m.Password != "" {
				r.fail("mqtt.password_file", "both password and password_file are set (expected one of them)")
			} else if pw, err := readSecret(dir, pwFile); err != nil {
				r.fail("mqtt.password_file", "%v", err)
			} else {
				m.Password = pw
			}
		}
		r.str(s, "mqtt", "ca", &m.CA)
		if m.CA != "" {
			path := m.CA
			if !filepath.IsAbs(path) {
				path = filepath.Join(dir, path)
			}
			if b, err := os.ReadFile(path); err != nil {
				r.fail("mqtt.ca", "cannot read %s: %v (expected a PEM CA bundle)", path, err)
			} else {
				m.CAPEM = b
			}
		}
		r.str(s, "mqtt", "client_id", &m.ClientID)
		r.str(s, "mqtt", "topic_prefix", &m.TopicPrefix)
		r.boolean(s, "mqtt", "discovery", &m.Discovery)
		r.str(s, "mqtt", "discovery_prefix", &m.DiscoveryPrefix)
		r.boolean(s, "mqtt", "commands", &m.Commands)
		r.integer(s, "mqtt", "qos", &m.QoS)
		r.boolean(s, "mqtt", "retain", &m.Retain)
		r.unknown(s, "mqtt")
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "intercom"
	}
	if m.ClientID == "" {
		m.ClientID = "intercom-" + mqtt.NodeID(host)
	}
	if m.TopicPrefix == "" {
		m.TopicPrefix = "intercom/" + mqtt.NodeID(host)
	}
}
