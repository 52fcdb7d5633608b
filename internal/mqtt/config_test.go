package mqtt

import (
	"strings"
	"testing"

	"github.com/doorsip/intercom/internal/cfgerr"
)

func TestValidate(t *testing.T) {
	ok := Defaults()
	ok.Broker, ok.ClientID, ok.TopicPrefix = "mqtts://broker.lan:8883", "intercom-front", "intercom/front"
	ok.Username, ok.Password = "door", "pw"
	tests := []struct {
		name string
		edit func(*Config)
		key  string // "" = valid
	}{
		{"valid", func(*Config) {}, ""},
		{"off needs nothing", func(c *Config) { *c = Defaults() }, ""},
		{"scheme", func(c *Config) { c.Broker = "http://broker:1883" }, "broker"},
		{"no port", func(c *Config) { c.Broker = "mqtt://broker" }, "broker"},
		{"not a url", func(c *Config) { c.Broker = "broker:1883" }, "broker"},
		{"qos", func(c *Config) { c.QoS = 3 }, "qos"},
		{"wildcard prefix", func(c *Config) { c.TopicPrefix = "intercom/#" }, "topic_prefix"},
		{"empty level", func(c *Config) { c.TopicPrefix = "intercom//front" }, "topic_prefix"},
		{"discovery prefix", func(c *Config) { c.DiscoveryPrefix = "" }, "discovery_prefix"},
		{"client id", func(c *Config) { c.ClientID = "" }, "client_id"},
		{"bad ca", func(c *Config) { c.CA, c.CAPEM = "ca.pem", []byte("not pem") }, "ca"},
		{"password without user", func(c *Config) { c.Username = "" }, "username"},
		{"anonymous commands", func(c *Config) { c.Username, c.Password, c.Commands = "", "", true }, "commands"},
	}
	for _, tt := range tests {
		c := ok
		tt.edit(&c)
		err := c.Validate()
		if tt.key == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		var keys []string
		for _, e := range cfgerr.Split(err) {
			if fe, isField := e.(*cfgerr.Field); isField {
				keys = append(keys, fe.Key)
			}
		}
		if !strings.Contains(strings.Join(keys, ","), tt.key) {
			t.Errorf("%s: errors for %v (%v), want one for %s", tt.name, keys, err, tt.key)
		}
	}
}
