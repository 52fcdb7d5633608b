// Package mqtt connects the intercom to an MQTT broker for Home Assistant and other home
// automation: it announces the device with Home Assistant's MQTT discovery, publishes every
// event and the door's state as JSON, and, only when [mqtt] commands is true, turns messages
// on its command topics into typed Commands for the caller to carry out.
//
// It owns one goroutine tree (Client.Run): the broker connection with reconnect and backoff,
// and a worker that hands commands to the caller one at a time. Nothing the door does waits
// for the broker: Event, Button and SetState only put a message in a bounded queue, and a
// full queue drops (and counts) rather than blocks.
//
// It knows nothing of SIP, GPIO or the door controller; internal/app turns event-log entries
// and the controller's status into Events and States, and Commands into controller commands.
package mqtt
