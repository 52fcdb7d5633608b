package mqtt

import (
	"encoding/json"
)

// Device describes the unit for discovery: which entities it has follows from its config.
type Device struct {
	Name      string   // shown in Home Assistant, e.g. "Front door"
	Model     string   // e.g. "intercom"
	SWVersion string   // build version
	Buttons   []string // [[button]] names: one doorbell event entity each
	Relay     bool     // a door relay: lock entity (and an open button with commands)
	Contact   bool     // a door sensor: door binary sensor
	Tamper    bool     // a tamper input: tamper binary sensor
}

// Message is one MQTT publication.
type Message struct {
	Topic   string
	Payload []byte
	Retain  bool
}

// Topics derived from the prefix.
func availabilityTopic(prefix string) string { return prefix + "/availability" }
func stateTopic(prefix string) string        { return prefix + "/state" }
func eventTopic(prefix, kind string) string  { return prefix + "/event/" + kind }
func buttonTopic(prefix, name string) string { return prefix + "/button/" + NodeID(name) }
func commandTopic(prefix, op string) string  { return prefix + "/cmd/" + op }

type haDevice struct {
	Identifiers  []string `json:"identifiers"`
	Name         string   `json:"name"`
	Manufacturer string   `json:"manufacturer"`
	Model        string   `json:"model"`
	SWVersion    string   `json:"sw_version,omitempty"`
}

type haOrigin struct {
	Name string `json:"name"`
	SW   string `json:"sw_version,omitempty"`
}

// haEntity holds the fields of Home Assistant's MQTT event, lock, button, binary_sensor and
// sensor schemas that this device uses; each entity sets those of its platform.
type haEntity struct {
	Name              string   `json:"name"`
	UniqueID          string   `json:"unique_id"`
	Device            haDevice `json:"device"`
	Origin            haOrigin `json:"origin"`
	AvailabilityTopic string   `json:"availability_topic"`
	PayloadAvailable  string   `json:"payload_available"`
	PayloadNotAvail   string   `json:"payload_not_available"`
	DeviceClass       string   `json:"device_class,omitempty"`
	EntityCategory    string   `json:"entity_category,omitempty"`
	Icon              string   `json:"icon,omitempty"`
	QoS               int      `json:"qos"`

	StateTopic    string `json:"state_topic,omitempty"`
	ValueTemplate string `json:"value_template,omitempty"`
	CommandTopic  string `json:"command_topic,omitempty"`

	EventTypes []string `json:"event_types,omitempty"` // event

	PayloadLock   string `json:"payload_lock,omitempty"` // lock
	PayloadUnlock string `json:"payload_unlock,omitempty"`
	PayloadOpen   string `json:"payload_open,omitempty"`
	StateLocked   string `json:"state_locked,omitempty"`
	StateUnlocked string `json:"state_unlocked,omitempty"`
	Optimistic    *bool  `json:"optimistic,omitempty"`

	PayloadPress string `json:"payload_press,omitempty"` // button

	PayloadOn  string `json:"payload_on,omitempty"` // binary_sensor
	PayloadOff string `json:"payload_off,omitempty"`
}

// Discovery returns the retained config messages that make Home Assistant create the device:
// <discovery_prefix>/<component>/<node>/<object>/config, one per entity.
func Discovery(cfg Config, dev Device) []Message {
	node := NodeID(cfg.ClientID)
	p := cfg.TopicPrefix
	base := func(name, object string) haEntity {
		return haEntity{
			Name:     name,
			UniqueID: node + "_" + object,
			Device: haDevice{
				Identifiers:  []string{node},
				Name:         dev.Name,
				Manufacturer: "doorsip",
				Model:        dev.Model,
				SWVersion:    dev.SWVersion,
			},
			Origin:            haOrigin{Name: "intercom", SW: dev.SWVersion},
			AvailabilityTopic: availabilityTopic(p),
			PayloadAvailable:  "online",
			PayloadNotAvail:   "offline",
			QoS:               cfg.QoS,
		}
	}
	var out []Message
	add := func(component, object string, e haEntity) {
		b, err := json.Marshal(e)
		if err != nil {
			panic(err) // a fixed struct of strings always marshals
		}
		out = append(out, Message{Topic: cfg.DiscoveryPrefix + "/" + component + "/" + node + "/" + object + "/config", Payload: b, Retain: true})
	}
	for _, b := range dev.Buttons {
		obj := NodeID(b) + "_bell"
		e := base("Bell "+b, obj)
		e.DeviceClass = "doorbell"
		e.EventTypes = []string{Ring.String(), LongPress.String()}
		e.StateTopic = buttonTopic(p, b)
		add("event", obj, e)
	}
	if dev.Relay {
		e := base("Door", "door")
		e.StateTopic = stateTopic(p)
		e.ValueTemplate = "{{ value_json.lock }}"
		e.CommandTopic = commandTopic(p, "lock")
		e.PayloadLock, e.PayloadUnlock, e.PayloadOpen = "LOCK", "UNLOCK", "OPEN"
		e.StateLocked, e.StateUnlocked = Locked, Unlocked
		no := false
		e.Optimistic = &no
		add("lock", "door", e)
		if cfg.Commands {
			e := base("Open door", "open")
			e.CommandTopic = commandTopic(p, "open")
			e.PayloadPress = "PRESS"
			e.Icon = "mdi:door-open"
			add("button", "open", e)
		} else {
			// An empty retained config removes a button announced while commands were on.
			out = append(out, Message{Topic: cfg.DiscoveryPrefix + "/button/" + node + "/open/config", Retain: true})
		}
	}
	binary := func(name, object, class, field string) {
		e := base(name, object)
		e.DeviceClass = class
		e.StateTopic = stateTopic(p)
		e.ValueTemplate = "{{ 'ON' if value_json." + field + " else 'OFF' }}"
		e.PayloadOn, e.PayloadOff = "ON", "OFF"
		if class == "connectivity" {
			e.EntityCategory = "diagnostic"
		}
		add("binary_sensor", object, e)
	}
	if dev.Contact {
		binary("Door contact", "door_contact", "door", "door_open")
	}
	if dev.Tamper {
		binary("Tamper", "tamper", "tamper", "tamper")
	}
	binary("In call", "in_call", "", "in_call")
	binary("Registered", "registered", "connectivity", "registered")
	sensor := func(name, object, field, icon string) {
		e := base(name, object)
		e.StateTopic = stateTopic(p)
		e.ValueTemplate = "{{ value_json." + field + " }}"
		e.Icon = icon
		add("sensor", object, e)
	}
	sensor("Call state", "call_state", "call_state", "mdi:phone")
	sensor("Last caller", "last_caller", "last_caller", "mdi:account-voice")
	return out
}
