package app

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/doorsip/intercom/config"
	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/control"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/eventlog"
	"github.com/doorsip/intercom/internal/mqtt"
)

const (
	// stateEvery re-reads the door's state even without events: the board ends a relay
	// pulse on its own, a moment after the controller logs the release.
	stateEvery = 2 * time.Second
	// stateSettle is the second look after an event, once the controller has finished
	// handling it and updated its status.
	stateSettle = 100 * time.Millisecond
)

// mqttBridge joins the MQTT client to the intercom: event-log entries become MQTT events and
// doorbell events, the controller's status and the relay line become the published state,
// and MQTT commands go to the controller the way control-socket commands do. A reload that
// changes [mqtt] replaces the client.
type mqttBridge struct {
	a *App

	mu      sync.Mutex
	pending *mqtt.Config  // from Reload, for run to apply
	cl      *mqtt.Client  // nil while [mqtt] has no broker
	old     mqtt.Stats    // counters of clients replaced by reloads
	wake    chan struct{} // pending was set

	// Owned by run.
	stop       func()
	lastCaller string
}

func newMQTTBridge(a *App) *mqttBridge {
	return &mqttBridge{a: a, wake: make(chan struct{}, 1)}
}

// reload hands run a new [mqtt]; it never waits for the broker.
func (b *mqttBridge) reload(cfg mqtt.Config) {
	b.mu.Lock()
	b.pending = &cfg
	b.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// run forwards events until ctx ends, then stops the client (which says offline).
func (b *mqttBridge) run(ctx context.Context, cfg mqtt.Config) {
	sub, unsub := b.a.events.Subscribe()
	defer unsub()
	b.apply(ctx, cfg)
	defer b.stopClient()
	// The state ticker runs only while a client is up: without [mqtt] an idle door would
	// otherwise wake every stateEvery to publish to nobody.
	var tick clock.Ticker
	defer func() {
		if tick != nil {
			tick.Stop()
		}
	}()
	tick = b.ticker(tick)
	var settle <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-sub:
			if !ok {
				sub = nil
				continue
			}
			b.forward(e)
			b.publishState()
			settle = b.a.opts.Clock.After(stateSettle)
		case <-settle:
			settle = nil
			b.publishState()
		case <-tickC(tick):
			b.publishState()
		case <-b.wake:
			b.mu.Lock()
			p := b.pending
			b.pending = nil
			b.mu.Unlock()
			if p != nil && (b.client() == nil || !sameMQTT(b.client().Config(), *p)) {
				b.apply(ctx, *p)
				tick = b.ticker(tick)
			}
		}
	}
}

// ticker returns the state ticker run needs now: t (or a new one) while a client is up, nil
// (t stopped) while none is.
func (b *mqttBridge) ticker(t clock.Ticker) clock.Ticker {
	switch up := b.client() != nil; {
	case up && t == nil:
		return b.a.opts.Clock.NewTicker(stateEvery)
	case !up && t != nil:
		t.Stop()
		return nil
	}
	return t
}

// tickC is t's channel, or nil (never ready in a select) without a ticker.
func tickC(t clock.Ticker) <-chan time.Time {
	if t == nil {
		return nil
	}
	return t.C()
}

func sameMQTT(a, b mqtt.Config) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func (b *mqttBridge) client() *mqtt.Client {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cl
}

// apply stops the running client, if any, and starts one for cfg when it names a broker.
func (b *mqttBridge) apply(ctx context.Context, cfg mqtt.Config) {
	b.stopClient()
	if !cfg.Enabled() {
		return
	}
	c := mqtt.New(cfg, b.device(), mqtt.Options{
		Logger: b.a.log.With("part", "mqtt"),
		Clock:  b.a.opts.Clock,
		Handle: b.handle,
	})
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = c.Run(cctx) }()
	b.stop = func() { cancel(); <-done }
	b.mu.Lock()
	b.cl = c
	b.mu.Unlock()
	b.publishState()
}

func (b *mqttBridge) stopClient() {
	if b.stop == nil {
		return
	}
	b.stop()
	b.stop = nil
	b.mu.Lock()
	s := b.cl.Stats()
	b.old.Published += s.Published
	b.old.Dropped += s.Dropped
	b.old.Commands += s.Commands
	b.old.CommandsDropped += s.CommandsDropped
	b.old.Refused += s.Refused
	b.old.Connects += s.Connects
	b.old.Failures += s.Failures
	b.cl = nil
	b.mu.Unlock()
}

// device describes this unit to Home Assistant from the config it runs with.
func (b *mqttBridge) device() mqtt.Device {
	cfg := b.a.cfg
	d := mqtt.Device{
		Name:    cfg.SIP.DisplayName,
		Model:   "intercom",
		Relay:   cfg.Door.Door.HasRelay,
		Contact: cfg.Door.Door.Sensor != "",
		Tamper:  cfg.Door.Door.Tamper != "",
	}
	if d.Name == "" {
		d.Name = "Intercom"
	}
	d.SWVersion = b.a.version()
	for _, btn := range cfg.Door.Buttons {
		d.Buttons = append(d.Buttons, btn.Name)
	}
	return d
}

// forward publishes one event-log entry, and a doorbell event for a button press.
func (b *mqttBridge) forward(e eventlog.Entry) {
	if e.Kind == door.EventIncoming {
		b.lastCaller = e.String("from")
	}
	c := b.client()
	if c == nil {
		return
	}
	if payload, err := json.Marshal(e); err == nil {
		c.Event(string(e.Kind), payload)
	}
	if e.Kind != door.EventInput || !isButton(b.a.cfg, e.String("name")) {
		return
	}
	switch e.String("edge") {
	case door.Press.String():
		c.Button(e.String("name"), mqtt.Ring)
	case door.LongPress.String():
		c.Button(e.String("name"), mqtt.LongPress)
	}
}

func isButton(cfg *config.Config, name string) bool {
	for _, btn := range cfg.Door.Buttons {
		if btn.Name == name {
			return true
		}
	}
	return false
}

// publishState reads the controller's status and the relay line as driven: the lock is
// reported from the line, never assumed from a command.
func (b *mqttBridge) publishState() {
	c := b.client()
	if c == nil {
		return
	}
	st := b.a.ctrl.Status()
	s := mqtt.State{
		DoorOpen:   st.DoorAjar,
		Tamper:     st.Alarm == "tamper",
		InCall:     st.State == door.InCall,
		Registered: st.Registered,
		CallState:  string(st.State),
		LastCaller: b.lastCaller,
		Alarm:      st.Alarm,
	}
	if b.a.cfg.Door.Door.HasRelay {
		s.Lock = mqtt.Locked
		if on, err := b.a.board.Level(door.RelayDoor); err == nil && on {
			s.Lock = mqtt.Unlocked
		}
	}
	if t := b.a.cfg.Door.Door.Tamper; t != "" {
		if on, err := b.a.board.Level(t); err == nil {
			s.Tamper = on
		}
	}
	c.SetState(s)
}

// handle carries out an MQTT command through the control socket's path, recording that it
// came over MQTT and from which broker user.
func (b *mqttBridge) handle(ctx context.Context, cmd mqtt.Command) error {
	by := "mqtt"
	if cmd.User != "" {
		by = "mqtt user " + cmd.User
	}
	dc := door.Command{Via: "mqtt", By: by, Arg: cmd.Arg}
	switch cmd.Op {
	case mqtt.Open:
		dc.Op = door.OpOpen
	case mqtt.Lock:
		// The strike locks by itself when the pulse ends; answer with the state as it is.
		if c := b.client(); c != nil {
			c.Resend()
		}
		return nil
	case mqtt.Call:
		dc.Op = door.OpCall
	case mqtt.Answer:
		dc.Op = door.OpAnswer
	case mqtt.Hangup:
		dc.Op = door.OpHangup
	case mqtt.Press:
		dc.Op = door.OpPress
	default:
		return mqtt.ErrBadCommand
	}
	_, err := ctlHandler{b.a}.Do(ctx, dc)
	return err
}

// stats reports the counters of every client since start.
func (b *mqttBridge) stats() *control.MQTTStats {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cl == nil && b.old == (mqtt.Stats{}) {
		return nil
	}
	s := b.old
	if b.cl != nil {
		n := b.cl.Stats()
		s.Connected = n.Connected
		s.Published += n.Published
		s.Dropped += n.Dropped
		s.Commands += n.Commands
		s.CommandsDropped += n.CommandsDropped
		s.Refused += n.Refused
		s.Connects += n.Connects
		s.Failures += n.Failures
	}
	return &control.MQTTStats{
		Connected: s.Connected, Published: s.Published, Dropped: s.Dropped, Commands: s.Commands,
		CommandsDropped: s.CommandsDropped, Refused: s.Refused, Connects: s.Connects, Failures: s.Failures,
	}
}
