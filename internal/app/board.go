package app

import (
	"context"
	"time"

	"github.com/doorsip/intercom/gpio"
	"github.com/doorsip/intercom/internal/door"
)

// board adapts *gpio.Board to door.Board: the controller speaks its own small types so that
// internal/door never imports gpio.
type board struct {
	b      *gpio.Board
	events chan door.InputEvent
}

func newBoard(b *gpio.Board) *board {
	return &board{b: b, events: make(chan door.InputEvent, 16)}
}

// run forwards gpio events until ctx ends; it is started and waited for by App.
func (a *board) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-a.b.Events():
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
			case a.events <- door.InputEvent{Name: ev.Name, Kind: k}:
			case <-ctx.Done():
				return
			}
		}
	}
}

func (a *board) Events() <-chan door.InputEvent { return a.events }

func (a *board) SetLED(name string, p door.LEDPattern) error {
	gp := gpio.Off
	switch p {
	case door.On:
		gp = gpio.On
	case door.SlowBlink:
		gp = gpio.SlowBlink
	case door.FastBlink:
		gp = gpio.FastBlink
	}
	return a.b.SetLED(name, gp)
}

func (a *board) Pulse(relay string, d time.Duration) error { return a.b.Pulse(relay, d) }
func (a *board) SetRelay(relay string, on bool) error      { return a.b.SetRelay(relay, on) }
func (a *board) Halt()                                     { _ = a.b.Halt() }
