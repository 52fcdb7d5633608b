package app

import (
	"context"
	"os"

	"github.com/doorsip/intercom/internal/action"
	"github.com/doorsip/intercom/internal/control"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/eventlog"
)

// runActions feeds event-log entries to the action dispatcher until ctx ends. The dispatcher
// only queues, so the entries never wait for a receiver.
func (a *App) runActions(ctx context.Context) {
	sub, unsub := a.events.Subscribe()
	defer unsub()
	done := make(chan struct{})
	go func() { defer close(done); _ = a.actions.Run(ctx) }()
	defer func() { <-done }()
	host, _ := os.Hostname()
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-sub:
			if !ok {
				return
			}
			for _, ev := range actionEvents(a, e, host) {
				a.actions.Dispatch(ev)
			}
		}
	}
}

// actionEvents gives the entry itself (its kind, its fields as variables) and, for a button's
// press or long press, a ring or long-press event naming the button.
func actionEvents(a *App, e eventlog.Entry, host string) []action.Event {
	vars := map[string]string{"host": host}
	for _, f := range e.Fields {
		vars[f.Key] = e.String(f.Key)
	}
	if vars["caller"] == "" {
		vars["caller"] = vars["from"]
	}
	out := []action.Event{{Kind: string(e.Kind), Time: e.Time, Vars: vars}}
	if e.Kind != door.EventInput || !isButton(a.cfg, e.String("name")) {
		return out
	}
	kind := ""
	switch e.String("edge") {
	case door.Press.String():
		kind = "ring"
	case door.LongPress.String():
		kind = "long-press"
	default:
		return out
	}
	rv := map[string]string{"host": host, "button": e.String("name"), "via": e.String("via")}
	// The caller of a ring is whoever is at the door: the station itself.
	rv["caller"] = a.cfg.SIP.DisplayName
	return append(out, action.Event{Kind: kind, Time: e.Time, Vars: rv})
}

// actionStats is nil while no [[action]] is configured.
func (a *App) actionStats() *control.ActionStats {
	s := a.actions.Stats()
	if len(a.cfg.Actions) == 0 && s == (action.Stats{}) {
		return nil
	}
	return &control.ActionStats{Sent: s.Sent, Failed: s.Failed, Dropped: s.Dropped}
}
