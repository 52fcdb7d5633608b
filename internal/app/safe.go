package app

import (
	"errors"
	"fmt"

	"github.com/doorsip/intercom/config"
	"github.com/doorsip/intercom/gpio"
	"github.com/doorsip/intercom/internal/eventlog"
)

// EventRelayFoundActive is the event kind of a relay found energised before the intercom (or
// `intercom safe`) claimed its line: the previous run died with the door open and the kernel
// kept the level, as Raspberry Pi kernels do unless told otherwise.
const EventRelayFoundActive eventlog.Kind = "relay-found-active"

func recordFoundActive(events *eventlog.Log, b *gpio.Board, by string) {
	for _, name := range b.RelaysFoundActive() {
		events.Add(EventRelayFoundActive, "relay", name, "by", by)
	}
}

// Safe drives every relay and LED of cfg to its inactive level and releases the lines: what
// `intercom safe` does after the service stopped, however it stopped (SIGKILL, a watchdog
// kill, a crash), so the door closes whatever the kernel does with a released output. It
// returns the relays it found energised; those are also written to the event log. Nothing
// but GPIO is touched: no SIP, no sound card.
func Safe(cfg *config.Config, opts Options) ([]string, error) {
	log := opts.Logger
	b, err := gpio.Open(cfg.GPIO, gpio.Options{Logger: log, Clock: opts.Clock, Driver: opts.GPIODriver})
	if err != nil {
		return nil, fmt.Errorf("app: safe: %w", err)
	}
	found := b.RelaysFoundActive()
	var lerr error
	if len(found) > 0 {
		events := eventlog.New(eventlog.Config{Path: cfg.Door.Events.Path, MaxSize: cfg.Door.Events.MaxSize},
			eventlog.Options{Logger: log, Clock: opts.Clock})
		recordFoundActive(events, b, "safe")
		lerr = events.Close()
	}
	if err := errors.Join(b.Close(), lerr); err != nil {
		return found, fmt.Errorf("app: safe: %w", err)
	}
	return found, nil
}
