package mqtt

import (
	"encoding/json"
	"fmt"
	"testing"
)

func testConfig() Config {
	c := Defaults()
	c.Broker, c.ClientID, c.TopicPrefix = "mqtt://127.0.0.1:1883", "Front Door", "intercom/front"
	c.Username, c.Password, c.Commands = "door", "pw", true
	return c
}

func testDevice() Device {
	return Device{Name: "Front door", Model: "intercom", SWVersion: "1.0", Buttons: []string{"bell", "Flat 2"},
		Relay: true, Contact: true, Tamper: true}
}

// wantDiscovery is every discovery topic of testConfig/testDevice with the fields Home
// Assistant's MQTT schemas need from it, checked one by one.
func wantDiscovery() map[string]map[string]any {
	const p = "intercom/front"
	avail := map[string]any{"availability_topic": p + "/availability", "payload_available": "online", "payload_not_available": "offline"}
	with := func(m map[string]any) map[string]any {
		for k, v := range avail {
			m[k] = v
		}
		return m
	}
	state := p + "/state"
	return map[string]map[string]any{
		"homeassistant/event/front_door/bell_bell/config": with(map[string]any{
			"unique_id": "front_door_bell_bell", "device_class": "doorbell", "state_topic": p + "/button/bell",
			"event_types": []any{"ring", "long_press"}}),
		"homeassistant/event/front_door/flat_2_bell/config": with(map[string]any{
			"unique_id": "front_door_flat_2_bell", "device_class": "doorbell", "state_topic": p + "/button/flat_2",
			"event_types": []any{"ring", "long_press"}}),
		"homeassistant/lock/front_door/door/config": with(map[string]any{
			"unique_id": "front_door_door", "command_topic": p + "/cmd/lock", "state_topic": state,
			"value_template": "{{ value_json.lock }}", "payload_lock": "LOCK", "payload_unlock": "UNLOCK",
			"payload_open": "OPEN", "state_locked": "LOCKED", "state_unlocked": "UNLOCKED", "optimistic": false}),
		"homeassistant/button/front_door/open/config": with(map[string]any{
			"unique_id": "front_door_open", "command_topic": p + "/cmd/open", "payload_press": "PRESS"}),
		"homeassistant/binary_sensor/front_door/door_contact/config": with(map[string]any{
			"device_class": "door", "state_topic": state, "payload_on": "ON", "payload_off": "OFF",
			"value_template": "{{ 'ON' if value_json.door_open else 'OFF' }}"}),
		"homeassistant/binary_sensor/front_door/tamper/config": with(map[string]any{
			"device_class": "tamper", "state_topic": state, "value_template": "{{ 'ON' if value_json.tamper else 'OFF' }}"}),
		"homeassistant/binary_sensor/front_door/in_call/config": with(map[string]any{
			"state_topic": state, "value_template": "{{ 'ON' if value_json.in_call else 'OFF' }}"}),
		"homeassistant/binary_sensor/front_door/registered/config": with(map[string]any{
			"device_class": "connectivity", "entity_category": "diagnostic", "state_topic": state,
			"value_template": "{{ 'ON' if value_json.registered else 'OFF' }}"}),
		"homeassistant/sensor/front_door/call_state/config": with(map[string]any{
			"state_topic": state, "value_template": "{{ value_json.call_state }}"}),
		"homeassistant/sensor/front_door/last_caller/config": with(map[string]any{
			"state_topic": state, "value_template": "{{ value_json.last_caller }}"}),
	}
}

// checkDiscovery compares published discovery payloads with wantDiscovery field by field,
// and checks that every entity carries the one device.
func checkDiscovery(t *testing.T, got map[string][]byte) {
	t.Helper()
	want := wantDiscovery()
	if len(got) != len(want) {
		t.Errorf("%d discovery topics, want %d", len(got), len(want))
	}
	for topic, fields := range want {
		payload, ok := got[topic]
		if !ok {
			t.Errorf("no discovery message on %s", topic)
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(payload, &m); err != nil {
			t.Errorf("%s: %v", topic, err)
			continue
		}
		for k, v := range fields {
			if fmt.Sprint(m[k]) != fmt.Sprint(v) {
				t.Errorf("%s: %s = %v, want %v", topic, k, m[k], v)
			}
		}
		if n, _ := m["name"].(string); n == "" {
			t.Errorf("%s: no name", topic)
		}
		dev, _ := m["device"].(map[string]any)
		if fmt.Sprint(dev["identifiers"]) != "[front_door]" || dev["name"] != "Front door" || dev["model"] != "intercom" {
			t.Errorf("%s: device %v", topic, dev)
		}
		// A device class Home Assistant does not know makes it reject the entity.
		if dc, ok := m["device_class"]; ok && dc == "" {
			t.Errorf("%s: empty device_class", topic)
		}
	}
}

func TestDiscovery(t *testing.T) {
	got := map[string][]byte{}
	for _, m := range Discovery(testConfig(), testDevice()) {
		if len(m.Payload) == 0 {
			continue
		}
		if !m.Retain {
			t.Errorf("%s not retained", m.Topic)
		}
		got[m.Topic] = m.Payload
	}
	checkDiscovery(t, got)
}

// TestDiscoveryWithoutCommands: with commands off the open button is removed (an empty
// retained config), in case it was announced before; the lock still reports the relay.
func TestDiscoveryWithoutCommands(t *testing.T) {
	c := testConfig()
	c.Commands = false
	removed, lock := false, false
	for _, m := range Discovery(c, Device{Name: "d", Relay: true}) {
		switch m.Topic {
		case "homeassistant/button/front_door/open/config":
			removed = len(m.Payload) == 0 && m.Retain
		case "homeassistant/lock/front_door/door/config":
			lock = true
		}
	}
	if !removed || !lock {
		t.Errorf("open button removed %t, lock announced %t", removed, lock)
	}
}
