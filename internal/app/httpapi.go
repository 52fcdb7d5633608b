package app

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"

	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/eventlog"
	"github.com/doorsip/intercom/internal/httpapi"
)

// startHTTP builds the 2N-compatible API when [http] has users. A listener that cannot open
// is logged, not fatal: the door works without its API.
func (a *App) startHTTP() *httpapi.Server {
	if !a.cfg.HTTP.Enabled() {
		return nil
	}
	host, _ := os.Hostname()
	srv, err := httpapi.New(a.cfg.HTTP, httpDoor{a}, httpapi.Options{Logger: a.log.With("part", "http"), Clock: a.opts.Clock, Hostname: host})
	if err != nil {
		a.log.Error("http: API not started", "err", err)
		return nil
	}
	a.api.Store(srv)
	a.log.Info("http: API listening", "addr", srv.Addr().String(), "sha256_fingerprint", srv.Fingerprint())
	return srv
}

// HTTPSFingerprint is the SHA-256 fingerprint of the API's certificate ("" without the API),
// for `intercom ctl status`.
func (h ctlHandler) HTTPSFingerprint() string {
	if api := h.a.api.Load(); api != nil {
		return api.Fingerprint()
	}
	return ""
}

// httpDoor is the API's view of the door: the controller's status, the board's lines, and
// commands through the control socket's path, recorded as via=api with the API user.
type httpDoor struct{ a *App }

func (d httpDoor) Status() httpapi.Status {
	a := d.a
	st := a.ctrl.Status()
	s := httpapi.Status{
		DeviceName: a.cfg.SIP.DisplayName,
		Started:    a.started,
		Call:       string(st.State),
		Peer:       st.Peer,
		Incoming:   st.Incoming,
		Relay:      a.cfg.Door.Door.HasRelay,
		OpenFor:    a.cfg.Door.Door.OpenFor,
	}
	s.SWVersion = a.version()
	level := func(name string) bool { on, _ := a.board.Level(name); return on }
	if s.Relay {
		s.RelayOn = level(door.RelayDoor)
		s.Ports = append(s.Ports, httpapi.Port{Name: door.RelayDoor, Output: true, Active: s.RelayOn})
	}
	for _, b := range a.cfg.GPIO.Buttons {
		s.Ports = append(s.Ports, httpapi.Port{Name: b.Name, Active: level(b.Name)})
	}
	for _, in := range a.cfg.GPIO.Inputs {
		s.Ports = append(s.Ports, httpapi.Port{Name: in.Name, Active: level(in.Name)})
	}
	for _, acc := range st.Accounts {
		s.Accounts = append(s.Accounts, httpapi.Account{Name: acc.Account, Registered: acc.Registered})
	}
	return s
}

func (d httpDoor) Do(ctx context.Context, cmd httpapi.Command) error {
	dc := door.Command{Via: "api", By: "api user " + cmd.User, Arg: cmd.Arg}
	switch cmd.Op {
	case httpapi.SwitchOn, httpapi.SwitchTrigger:
		dc.Op = door.OpOpen
	case httpapi.SwitchOff:
		return nil // the board releases the strike when the pulse ends
	case httpapi.Dial:
		dc.Op = door.OpCall
	case httpapi.Answer:
		dc.Op = door.OpAnswer
	case httpapi.Hangup:
		dc.Op = door.OpHangup
	default:
		return fmt.Errorf("app: api command %v: %w", cmd.Op, door.ErrUnknownOp)
	}
	_, err := ctlHandler{d.a}.Do(ctx, dc)
	return err
}

// Subscribe turns event-log entries into 2N events. A slow API client loses events (the
// log's own subscriber buffer), never delays the controller.
func (d httpDoor) Subscribe() (<-chan httpapi.Event, func()) {
	src, unsub := d.a.events.Subscribe()
	out := make(chan httpapi.Event, 64)
	go func() {
		defer close(out)
		for e := range src {
			for _, ev := range twoNEvents(d.a, e) {
				select {
				case out <- ev:
				default:
				}
			}
		}
	}()
	return out, unsub
}

// twoNEvents names an event-log entry as a 2N unit would report it; most entries have no 2N
// counterpart and give none.
func twoNEvents(a *App, e eventlog.Entry) []httpapi.Event {
	ev := func(name string, params map[string]any) []httpapi.Event {
		return []httpapi.Event{{Time: e.Time, Name: name, Params: params}}
	}
	call := func(dir, state, peer string) []httpapi.Event {
		return ev("CallStateChanged", map[string]any{"direction": dir, "state": state, "peer": peer, "session": 1})
	}
	switch e.Kind {
	case door.EventStarted:
		return ev("DeviceState", map[string]any{"state": "startup"})
	case door.EventInput:
		name, edge := e.String("name"), e.String("edge")
		if isButton(a.cfg, name) {
			switch edge {
			case door.Press.String():
				return ev("KeyPressed", map[string]any{"key": name})
			case door.Release.String():
				return ev("KeyReleased", map[string]any{"key": name})
			}
			return nil
		}
		if edge == door.Press.String() || edge == door.Release.String() {
			return ev("InputChanged", map[string]any{"port": name, "state": edge == door.Press.String()})
		}
	case door.EventDoorOpen:
		return ev("SwitchStateChanged", map[string]any{"switch": 1, "state": true, "by": e.String("by"), "via": e.String("via")})
	case door.EventDoorReleased:
		return ev("SwitchStateChanged", map[string]any{"switch": 1, "state": false})
	case door.EventIncoming:
		return call("incoming", "ringing", e.String("from"))
	case door.EventCalling:
		return call("outgoing", "connecting", e.String("target"))
	case door.EventRinging:
		return call("outgoing", "ringing", e.String("target"))
	case door.EventAnswered:
		return call(e.String("direction"), "connected", e.String("peer"))
	case door.EventCallEnded:
		return call("", "terminated", e.String("peer"))
	case door.EventNoAnswer, door.EventCancelled, door.EventIncomingCancelled, door.EventIncomingRejected, door.EventCallFailed:
		return call("", "terminated", e.String("target")+e.String("from"))
	case door.EventRegistration:
		state := "unregistered"
		if r, _ := e.Get("registered"); r == true {
			state = "registered"
		}
		return ev("RegistrationStateChanged", map[string]any{"sipAccount": e.String("account"), "state": state})
	case door.EventDoorHeldOpen:
		return ev("DoorOpenTooLong", map[string]any{"state": true})
	case door.EventDoorCodeWrong:
		return ev("CodeEntered", map[string]any{"valid": false, "from": e.String("from")})
	case door.EventTamper:
		return ev("TamperSwitchActivated", map[string]any{"state": true})
	case door.EventTamperCleared:
		return ev("TamperSwitchActivated", map[string]any{"state": false})
	}
	return nil
}

// version is what the integrations report as the software version: the build's, or the
// module's when main set none (tests).
func (a *App) version() string {
	if a.opts.Version != "" {
		return a.opts.Version
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		return info.Main.Version
	}
	return ""
}
