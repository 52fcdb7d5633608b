package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/config"
	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/eventlog"
	"github.com/doorsip/intercom/internal/testpeer"
)

var mqttUsers = map[string]string{"door": "door-pw", "ha": "ha-pw"}

// mqttUnit is a door on a "sim" board with a bell, a relay and [mqtt] for broker b.
func mqttUnit(t *testing.T, b *testpeer.Mosquitto, mqttExtra string) *App {
	t.Helper()
	ca := ""
	if b.CA != nil {
		ca = fmt.Sprintf("ca = %q\n", b.CA.CAFile)
	}
	extra := fmt.Sprintf(`[[button]]
name = "bell"
line = 0
action = "answer"
[door]
relay_line = 1
open_for = "500ms"
[mqtt]
broker = %q
username = "door"
client_id = "front"
topic_prefix = "intercom/front"
%s%s`, b.URL(), ca, mqttExtra)
	return startUnit(t, "door", testpeer.FreePort(t), extra)
}

func hasEvent(a *App, kind string) (eventlog.Entry, bool) {
	for _, e := range a.Controller().Recent() {
		if string(e.Kind) == kind {
			return e, true
		}
	}
	return eventlog.Entry{}, false
}

// TestMQTTHomeAssistant: against a real mosquitto over TLS with passwords, the door says it
// is online with its lock state, a bell press arrives as a doorbell event and as an event-log
// entry, and an open command from the broker user "ha" pulses the relay, which the lock
// state follows, and the event log records who opened it and how.
func TestMQTTHomeAssistant(t *testing.T) {
	b := testpeer.StartMosquitto(t, testpeer.MosquittoOptions{Users: mqttUsers, TLS: true})
	w := b.Watch(t, "ha", mqttUsers["ha"], "intercom/front/#")
	a := mqttUnit(t, b, "password = \"door-pw\"\ncommands = true\n")
	w.Await(t, "intercom/front/availability", func(s string) bool { return s == "online" })
	w.Await(t, "intercom/front/state", func(s string) bool { return strings.Contains(s, `"lock":"LOCKED"`) })

	if err := a.Board().Sim().Tap("bell"); err != nil {
		t.Fatal(err)
	}
	w.Await(t, "intercom/front/button/bell", func(s string) bool { return s == `{"event_type":"ring"}` })
	w.Await(t, "intercom/front/event/input", func(s string) bool { return strings.Contains(s, `"name":"bell"`) })

	w.Publish(t, "intercom/front/user/ha/cmd/lock", "OPEN")
	w.Await(t, "intercom/front/event/door-open", func(s string) bool {
		return strings.Contains(s, `"by":"mqtt user ha"`) && strings.Contains(s, `"via":"mqtt"`)
	})
	w.Await(t, "intercom/front/state", func(s string) bool { return strings.Contains(s, `"lock":"UNLOCKED"`) })
	w.Await(t, "intercom/front/state", func(s string) bool { return strings.Contains(s, `"lock":"LOCKED"`) })

	st := ctlHandler{a}.Stats().MQTT
	if st == nil || !st.Connected || st.Commands != 1 || st.Dropped != 0 {
		t.Errorf("ctl stats mqtt = %+v", st)
	}
}

// TestMQTTCommandsOff: with commands = false (the default) an open on the command topic is
// refused and counted, and the relay never moves.
func TestMQTTCommandsOff(t *testing.T) {
	b := testpeer.StartMosquitto(t, testpeer.MosquittoOptions{Users: mqttUsers})
	w := b.Watch(t, "ha", mqttUsers["ha"], "intercom/front/availability")
	a := mqttUnit(t, b, "password = \"door-pw\"\n")
	w.Await(t, "intercom/front/availability", func(s string) bool { return s == "online" })
	w.Publish(t, "intercom/front/cmd/open", "PRESS")
	waitUntil(t, 10*time.Second, "the command refused", func() bool {
		st := ctlHandler{a}.Stats().MQTT
		return st != nil && st.Refused == 1
	})
	if e, ok := hasEvent(a, "door-open"); ok {
		t.Errorf("door opened with commands off: %+v", e)
	}
	if a.Board().Sim().Output(door.RelayDoor) {
		t.Error("relay energised")
	}
}

// TestMQTTBrokerTrouble: a wrong broker password and a dead broker leave the door working:
// the bell and an open from the control socket act at once, and the client keeps retrying.
func TestMQTTBrokerTrouble(t *testing.T) {
	b := testpeer.StartMosquitto(t, testpeer.MosquittoOptions{Users: mqttUsers})
	dead := &testpeer.Mosquitto{Port: testpeer.FreePort(t)}
	for _, tt := range []struct {
		name   string
		broker *testpeer.Mosquitto
		pw     string
	}{
		{"wrong password", b, "wrong"},
		{"dead broker", dead, "door-pw"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := mqttUnit(t, tt.broker, fmt.Sprintf("password = %q\n", tt.pw))
			waitUntil(t, 10*time.Second, "a failed attempt", func() bool {
				st := ctlHandler{a}.Stats().MQTT
				return st != nil && st.Failures >= 1 && !st.Connected
			})
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			if _, err := a.Controller().Do(ctx, door.Command{Op: "open"}); err != nil {
				t.Fatalf("open: %v", err)
			}
			if !a.Board().Sim().Output(door.RelayDoor) {
				t.Error("relay not energised after open")
			}
			if st := a.Controller().Status(); st.State != door.Idle || !st.DoorOpen {
				t.Errorf("status %+v", st)
			}
		})
	}
}

// TestMQTTReload: a reload that adds [mqtt] connects without a restart.
func TestMQTTReload(t *testing.T) {
	b := testpeer.StartMosquitto(t, testpeer.MosquittoOptions{Users: mqttUsers})
	w := b.Watch(t, "ha", mqttUsers["ha"], "intercom/reloaded/availability")
	port := testpeer.FreePort(t)
	a := startUnit(t, "door", port, "")
	if st := (ctlHandler{a}).Stats().MQTT; st != nil {
		t.Errorf("mqtt stats without [mqtt]: %+v", st)
	}
	src := fmt.Sprintf("[sip]\nlisten = \"127.0.0.1:%d\"\n[media]\nrtp_ports = %q\n[audio]\ncapture = \"tone:440\"\nplayback = \"null\"\n[gpio]\nchip = \"sim\"\n[control]\nsocket = \"\"\n"+
		"[mqtt]\nbroker = %q\nusername = \"door\"\npassword = \"door-pw\"\ntopic_prefix = \"intercom/reloaded\"\n", port, a.cfg.Media.RTPPorts, b.URL())
	cfg, err := config.Parse("reload.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Reload(cfg); err != nil {
		t.Fatal(err)
	}
	w.Await(t, "intercom/reloaded/availability", func(s string) bool { return s == "online" })
}

// TestMQTTNoBrokerNoTicker: without [mqtt] the bridge keeps no state ticker, so an idle door
// is not woken every stateEvery to publish to nobody; a stopped client stops it.
func TestMQTTNoBrokerNoTicker(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	b := newMQTTBridge(&App{opts: Options{Clock: clk}})
	if tk := b.ticker(nil); tk != nil || clk.Timers() != 0 {
		t.Fatalf("no client: ticker %v, %d timers armed; want none", tk, clk.Timers())
	}
	tk := clk.NewTicker(stateEvery)
	if got := b.ticker(tk); got != nil || clk.Timers() != 0 {
		t.Fatalf("client gone: ticker %v, %d timers armed; want the old one stopped", got, clk.Timers())
	}
}
