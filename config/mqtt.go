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
	if s, ok := r.section(t, "", "mqtt"); ok {
		s.str("broker", &m.Broker)
		s.str("username", &m.Username)
		s.password("password", dir, &m.Password)
		s.str("ca", &m.CA)
		if m.CA != "" {
			path := m.CA
			if !filepath.IsAbs(path) {
				path = filepath.Join(dir, path)
			}
			if b, err := readSideFile(path); err != nil {
				r.fail("mqtt.ca", "cannot read %s: %v (expected a PEM CA bundle)", path, err)
			} else {
				m.CAPEM = b
			}
		}
		s.str("client_id", &m.ClientID)
		s.str("topic_prefix", &m.TopicPrefix)
		s.boolean("discovery", &m.Discovery)
		s.str("discovery_prefix", &m.DiscoveryPrefix)
		s.boolean("commands", &m.Commands)
		s.integer("qos", &m.QoS)
		s.boolean("retain", &m.Retain)
		s.done()
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
