package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMQTTSection(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "mqtt-secret"), []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := "[audio]\ncapture = \"tone:440\"\nplayback = \"null\"\n"
	c, err := Parse(filepath.Join(dir, "a.toml"), []byte(base+`[mqtt]
broker = "mqtts://broker.lan:8883"
username = "door"
password_file = "mqtt-secret"
commands = true
`))
	if err != nil {
		t.Fatal(err)
	}
	m := c.MQTT
	if m.Password != "s3cret" || !m.Commands || !m.Discovery || m.DiscoveryPrefix != "homeassistant" || m.QoS != 1 ||
		!strings.HasPrefix(m.TopicPrefix, "intercom/") || !strings.HasPrefix(m.ClientID, "intercom-") {
		t.Errorf("mqtt = %+v", m)
	}
	off, err := Parse("b.toml", []byte(base))
	if err != nil || off.MQTT.Enabled() || off.MQTT.Commands {
		t.Errorf("no [mqtt]: %+v, %v", off.MQTT, err)
	}

	_, err = Parse("c.toml", []byte(base+`[mqtt]
broker = "http://broker.lan"
qos = 7
ca = "missing.pem"
colour = "red"
`))
	var probs Errors
	if !errors.As(err, &probs) {
		t.Fatalf("err = %v", err)
	}
	want := []string{"c.toml:5: mqtt.broker", "c.toml:6: mqtt.qos", "c.toml:7: mqtt.ca", "c.toml:8: mqtt.colour"}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("no %q in:\n%v", w, err)
		}
	}
}
