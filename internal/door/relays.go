package door

import (
	"fmt"
	"time"

	"github.com/doorsip/intercom/internal/cfgerr"
)

// Relay is a further relay ([[relay]]): a gate or a second door. Users name it in the users
// file and `intercom ctl open NAME` opens it; the door's own rules (sensor, held-open
// alarm, DTMF code) stay with the door relay.
type Relay struct {
	Name    string
	OpenFor time.Duration // 0: [door] open_for
}

func (c Config) validateRelays() []error {
	var errs []error
	seen := map[string]bool{RelayDoor: true}
	for i, r := range c.Relays {
		key := fmt.Sprintf("relay[%d].", i)
		switch {
		case r.Name == "":
			errs = append(errs, cfgerr.New(key+"name", "empty: every relay needs a name, such as \"gate\""))
		case seen[r.Name]:
			errs = append(errs, cfgerr.New(key+"name", "%q is taken (\"door\" is [door] relay_line)", r.Name))
		}
		seen[r.Name] = true
		if r.OpenFor != 0 && (r.OpenFor < 100*time.Millisecond || r.OpenFor > time.Hour) {
			errs = append(errs, cfgerr.New(key+"open_for", "%s is out of range (expected 100ms to 1h, or leave it out for [door] open_for)", r.OpenFor))
		}
	}
	return errs
}

// relayOpenFor is how long relay is pulsed.
func (c Config) relayOpenFor(relay string) time.Duration {
	for _, r := range c.Relays {
		if r.Name == relay && r.OpenFor > 0 {
			return r.OpenFor
		}
	}
	return c.Door.OpenFor
}

// hasRelay reports whether relay is a [[relay]].
func (c Config) hasRelay(relay string) bool {
	for _, r := range c.Relays {
		if r.Name == relay {
			return true
		}
	}
	return false
}

// openRelay pulses a [[relay]] for its open_for and logs it.
func (c *Controller) openRelay(relay, by, via string) error {
	if !c.cfg.hasRelay(relay) {
		return fmt.Errorf("%w: %q", ErrUnknownRelay, relay)
	}
	d := c.cfg.relayOpenFor(relay)
	if err := c.board.Pulse(relay, d); err != nil {
		c.events.Add(EventDoorError, "by", by, "via", via, "relay", relay, "err", err)
		return err
	}
	c.events.Add(EventRelayOpen, "relay", relay, "by", by, "via", via, "for", d)
	return nil
}
