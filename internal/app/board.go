package app

import (
	"context"
	"time"

	"github.com/doorsip/intercom/gpio"
	"github.com/doorsip/intercom/internal/door"
)

// doorBoard adapts *gpio.Board to door.Board: the controller speaks its own small types so that
// internal/door never imports gpio.
type doorBoard struct {
	b      *gpio.Board
	events chan door.InputEvent
}

func newDoorBoard(b *gpio.Board) *doorBoard {
	return &doorBoard{b: b, events: make(chan door.InputEvent, 16)}
}

// run forwards gpio events until ctx ends; it is started and waited for by App.
func (d *doorBoard) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-d.b.Events():
			var k door.InputKind
			switch ev.Kind {
			case gpio.Press:
				k = door.Press
			case gpio.Release:
				k = door.Release
			case gpio.LongPress:
				k = door.LongPress
			default:
				continue
			}
			select {
			case d.events <- door.InputEvent{Name: ev.Name, Kind: k}:
			case <-ctx.Done():
				return
			}
		}
	}
}

func (d *doorBoard) Events() <-chan door.InputEvent { return d.events }

func (d *doorBoard) SetLED(name string, p door.LEDPattern) error {
	gp := gpio.Off
	switch p {
	case door.On:
		gp = gpio.On
	case door.SlowBlink:
		gp = gpio.SlowBlink
	case door.FastBlink:
		gp = gpio.FastBlink
	case door.Blip:
		gp = gpio.Blip
	case door.DoubleBlip:
		gp = gpio.DoubleBlip
	}
	return d.b.SetLED(name, gp)
}

func (d *doorBoard) Pulse(relay string, dur time.Duration) error { return d.b.Pulse(relay, dur) }
func (d *doorBoard) SetRelay(relay string, on bool) error        { return d.b.SetRelay(relay, on) }
func (d *doorBoard) Halt()                                       { _ = d.b.Halt() }
