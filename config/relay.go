package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/doorsip/intercom/gpio"
	"github.com/doorsip/intercom/internal/cfgerr"
	"github.com/doorsip/intercom/internal/door"
)

// readRelays reads every [[relay]]: its line goes to gpio (after the door's own relay), its
// name and open_for to the door controller.
func (c *Config) readRelays(r *reader, t map[string]any) {
	for i, rt := range r.tables(t, "relay") {
		p := fmt.Sprintf("relay[%d]", i)
		out := gpio.Output{Line: -1}
		var rel door.Relay
		r.str(rt, p, "name", &out.Name)
		r.integer(rt, p, "line", &out.Line)
		r.boolean(rt, p, "active_low", &out.ActiveLow)
		r.duration(rt, p, "open_for", &rel.OpenFor)
		if _, ok := rt["line"]; !ok {
			r.fail(p, "line is missing (expected the GPIO line offset of the relay)")
		}
		r.unknown(rt, p)
		rel.Name = out.Name
		c.GPIO.Relays = append(c.GPIO.Relays, out)
		c.Door.Relays = append(c.Door.Relays, rel)
	}
}

// relayErrors splits gpio's problems: those of [[relay]] lines come back with the file's
// own key ("relay[0].line"), the rest (the door relay's included) stay gpio's.
func (c *Config) relayErrors(err error) (gpioErrs, fileErrs error) {
	var g, f []error
	first := 0 // index of the first [[relay]] in gpio's list
	if c.Door.Door.HasRelay {
		first = 1
	}
	for _, e := range cfgerr.Split(err) {
		var fe *cfgerr.Field
		if errors.As(e, &fe) && strings.HasPrefix(fe.Key, "relay[") {
			end := strings.IndexByte(fe.Key, ']')
			if i, convErr := strconv.Atoi(fe.Key[len("relay["):end]); convErr == nil && i >= first {
				f = append(f, &cfgerr.Field{Key: fmt.Sprintf("relay[%d]%s", i-first, fe.Key[end+1:]), Msg: fe.Msg, Err: fe.Err})
				continue
			}
		}
		g = append(g, e)
	}
	return errors.Join(g...), errors.Join(f...)
}
