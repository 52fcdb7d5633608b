package mqtt

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/doorsip/intercom/internal/testpeer"
)

var users = map[string]string{"door": "door-pw", "ha": "ha-pw"}

// run starts c.Run; the func it returns (also called on cleanup) stops it and checks that
// it returns.
func run(t *testing.T, c *Client) func() {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Error("Run did not return within 5s of cancel")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testpeer.WaitUntil(t, 10*time.Second, what, cond)
}

func brokerConfig(b *testpeer.Mosquitto) Config {
	c := testConfig()
	c.Broker, c.Username, c.Password, c.CAPEM = b.URL(), "door", users["door"], nil
	if b.CA != nil {
		c.CA, c.CAPEM = b.CA.CAFile, b.CA.CAPEM
	}
	return c
}

// TestBroker against a real mosquitto with TLS and a password file: availability, discovery
// (field by field as Home Assistant receives it), state, events and a doorbell, a command
// with the sending user, re-discovery when Home Assistant comes online, offline on stop.
func TestBroker(t *testing.T) {
	b := testpeer.StartMosquitto(t, testpeer.MosquittoOptions{Users: users, TLS: true})
	w := b.Watch(t, "ha", users["ha"], "intercom/front/#", "homeassistant/#")
	leaks := goleak.IgnoreCurrent()
	got := make(chan Command, 4)
	c := New(brokerConfig(b), testDevice(), Options{
		Logger: slog.New(slog.DiscardHandler),
		Handle: func(_ context.Context, cmd Command) error { got <- cmd; return nil },
	})
	cancel := run(t, c)

	w.Await(t, "intercom/front/availability", func(s string) bool { return s == "online" })
	want := len(wantDiscovery())
	until(t, "discovery", func() bool { n, _ := w.Received("homeassistant/"); return n >= want })
	_, disc := w.Received("homeassistant/")
	checkDiscovery(t, disc)

	c.SetState(State{Lock: Locked, Registered: true, CallState: "idle"})
	w.Await(t, "intercom/front/state", func(s string) bool {
		return s == `{"lock":"LOCKED","door_open":false,"tamper":false,"in_call":false,"registered":true,"call_state":"idle","last_caller":"","alarm":""}`
	})
	c.Button("bell", Ring)
	w.Await(t, "intercom/front/button/bell", func(s string) bool { return s == `{"event_type":"ring"}` })
	c.Event("door-open", []byte(`{"kind":"door-open","by":"button bell"}`))
	w.Await(t, "intercom/front/event/door-open", func(s string) bool { return strings.Contains(s, `"by":"button bell"`) })

	w.Publish(t, "intercom/front/user/ha/cmd/lock", "OPEN")
	select {
	case cmd := <-got:
		if cmd != (Command{Op: Open, User: "ha"}) {
			t.Errorf("command %+v", cmd)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("command not delivered")
	}

	before, _ := w.Received("homeassistant/lock/")
	w.Publish(t, "homeassistant/status", "online")
	until(t, "re-discovery", func() bool { n, _ := w.Received("homeassistant/lock/"); return n > before })

	cancel()
	w.Await(t, "intercom/front/availability", func(s string) bool { return s == "offline" })
	if st := c.Stats(); st.Dropped != 0 || st.Connects != 1 || st.Commands != 1 {
		t.Errorf("stats %+v", st)
	}
	goleak.VerifyNone(t, leaks)
}

// TestCommandsOff: a command on the topic is refused and counted; nothing is carried out.
func TestCommandsOff(t *testing.T) {
	b := testpeer.StartMosquitto(t, testpeer.MosquittoOptions{Users: users})
	w := b.Watch(t, "ha", users["ha"], "intercom/front/availability")
	cfg := brokerConfig(b)
	cfg.Commands = false
	c := New(cfg, testDevice(), Options{Handle: func(context.Context, Command) error {
		t.Error("command carried out with commands = false")
		return nil
	}})
	run(t, c)
	w.Await(t, "intercom/front/availability", func(s string) bool { return s == "online" })
	w.Publish(t, "intercom/front/cmd/open", "PRESS")
	w.Publish(t, "intercom/front/cmd/lock", "OPEN")
	until(t, "two refusals", func() bool { return c.Stats().Refused == 2 })
}

// TestBrokerDown: a wrong password and a dead broker are retried, and publishing never
// blocks: past the queue's capacity messages are dropped and counted.
func TestBrokerDown(t *testing.T) {
	b := testpeer.StartMosquitto(t, testpeer.MosquittoOptions{Users: users})
	dead := testpeer.FreePort(t)
	for name, edit := range map[string]func(*Config){
		"wrong password": func(c *Config) { c.Password = "wrong" },
		"dead broker":    func(c *Config) { c.Broker = fmt.Sprintf("mqtt://127.0.0.1:%d", dead) },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := brokerConfig(b)
			edit(&cfg)
			before := goleak.IgnoreCurrent()
			c := New(cfg, testDevice(), Options{Backoff: 20 * time.Millisecond, BackoffMax: 50 * time.Millisecond})
			stop := run(t, c)
			until(t, "two failed attempts", func() bool { return c.Stats().Failures >= 2 })
			for i := 0; i < queueLen+44; i++ {
				c.Event("input", []byte(`{}`))
			}
			c.SetState(State{CallState: "idle"})
			if st := c.Stats(); st.Connected || st.Dropped != 44 {
				t.Errorf("stats %+v, want not connected and 44 dropped", st)
			}
			stop()
			// Every failed attempt's client library goroutines are gone with Run.
			goleak.VerifyNone(t, before)
		})
	}
}

// TestReconnect: the broker restarts; the client comes back with backoff and says online.
func TestReconnect(t *testing.T) {
	b := testpeer.StartMosquitto(t, testpeer.MosquittoOptions{Users: users})
	c := New(brokerConfig(b), testDevice(), Options{Backoff: 20 * time.Millisecond, BackoffMax: 100 * time.Millisecond})
	run(t, c)
	until(t, "connected", func() bool { return c.Stats().Connected })
	b.Stop()
	until(t, "loss noticed", func() bool { return c.Stats().Failures >= 1 })
	b2 := testpeer.StartMosquitto(t, testpeer.MosquittoOptions{Users: users, Port: b.Port})
	w := b2.Watch(t, "ha", users["ha"], "intercom/front/availability")
	w.Await(t, "intercom/front/availability", func(s string) bool { return s == "online" })
	if st := c.Stats(); st.Connects != 2 {
		t.Errorf("stats %+v, want 2 connects", st)
	}
}

// TestUserFromACL: with the README's ACL the broker delivers a command under
// <prefix>/user/<user>/cmd only from that login, so the user the door logs is the sender's:
// "ha" cannot pass itself off as "mallory".
func TestUserFromACL(t *testing.T) {
	acl := "user door\ntopic readwrite intercom/front/#\ntopic readwrite homeassistant/#\n" +
		"user ha\ntopic read intercom/front/#\npattern write intercom/front/user/%u/cmd/#\n"
	b := testpeer.StartMosquitto(t, testpeer.MosquittoOptions{Users: users, ACL: acl})
	w := b.Watch(t, "ha", users["ha"], "intercom/front/availability")
	got := make(chan Command, 4)
	c := New(brokerConfig(b), testDevice(), Options{Handle: func(_ context.Context, cmd Command) error { got <- cmd; return nil }})
	run(t, c)
	w.Await(t, "intercom/front/availability", func(s string) bool { return s == "online" })
	w.Publish(t, "intercom/front/user/mallory/cmd/open", "PRESS")
	w.Publish(t, "intercom/front/cmd/open", "PRESS")
	w.Publish(t, "intercom/front/user/ha/cmd/open", "PRESS")
	select {
	case cmd := <-got:
		if cmd.User != "ha" {
			t.Errorf("first command delivered: %+v, want the one from ha", cmd)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no command delivered")
	}
}

// TestCommandFlood: a publisher flooding the open topic while the door is slow to answer
// gets at most one command in progress and cmdQueue waiting; the rest are dropped and
// counted, and the client keeps up with the broker meanwhile.
func TestCommandFlood(t *testing.T) {
	b := testpeer.StartMosquitto(t, testpeer.MosquittoOptions{Users: users})
	w := b.Watch(t, "ha", users["ha"], "intercom/front/availability", "intercom/front/event/#")
	release := make(chan struct{})
	c := New(brokerConfig(b), testDevice(), Options{Handle: func(ctx context.Context, _ Command) error {
		select {
		case <-release:
		case <-ctx.Done():
		}
		return nil
	}})
	run(t, c)
	w.Await(t, "intercom/front/availability", func(s string) bool { return s == "online" })
	const n = 100
	for i := 0; i < n; i++ {
		w.Publish(t, "intercom/front/user/ha/cmd/open", "PRESS")
	}
	until(t, "every command queued, running or dropped", func() bool {
		st := c.Stats()
		return st.Commands+st.CommandsDropped+uint64(len(c.cmds)) == n
	})
	// The publishing side is not held up by the stuck commands.
	c.Event("input", []byte(`{"name":"bell"}`))
	w.Await(t, "intercom/front/event/input", func(string) bool { return true })
	close(release)
	until(t, "the queue drained", func() bool { st := c.Stats(); return st.Commands+st.CommandsDropped == n })
	st := c.Stats()
	t.Logf("%d commands: %d carried out, %d dropped", n, st.Commands, st.CommandsDropped)
	if st.Commands > cmdQueue+2 || st.CommandsDropped < n-cmdQueue-2 {
		t.Errorf("stats %+v: more commands carried out than the queue holds", st)
	}
}

// TestBrokerWebSocket: the same broker reached over MQTT-over-WebSocket, with TLS (wss://)
// and without (ws://): the door comes online, publishes its state and takes a command.
func TestBrokerWebSocket(t *testing.T) {
	for _, tlsOn := range []bool{true, false} {
		t.Run(fmt.Sprintf("tls=%v", tlsOn), func(t *testing.T) {
			b := testpeer.StartMosquitto(t, testpeer.MosquittoOptions{Users: users, TLS: tlsOn, WebSocket: true})
			w := b.Watch(t, "ha", users["ha"], "intercom/front/#")
			got := make(chan Command, 1)
			cfg := brokerConfig(b)
			cfg.Broker = b.WSURL()
			c := New(cfg, testDevice(), Options{
				Logger: slog.New(slog.DiscardHandler),
				Handle: func(_ context.Context, cmd Command) error { got <- cmd; return nil },
			})
			run(t, c)
			w.Await(t, "intercom/front/availability", func(s string) bool { return s == "online" })
			c.SetState(State{Lock: Locked, Registered: true, CallState: "idle"})
			w.Await(t, "intercom/front/state", func(s string) bool { return strings.Contains(s, `"registered":true`) })
			w.Publish(t, "intercom/front/user/ha/cmd/lock", "OPEN")
			select {
			case cmd := <-got:
				if cmd != (Command{Op: Open, User: "ha"}) {
					t.Errorf("command %+v", cmd)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("command not delivered over the WebSocket")
			}
		})
	}
}
