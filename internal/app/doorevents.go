package app

import (
	"fmt"
	"time"

	"github.com/doorsip/intercom/internal/control"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/sip"
)

// doorEvents turns the controller's status into the door state the SIP notifier sends to
// subscribed phones (BLF keys, presence). It runs on the controller's loop, so it keeps no
// lock and only hands a value to the UA, which never blocks.
type doorEvents struct {
	ua       *sip.UA
	prefix   string
	calls    int
	callID   string // the current or last call's dialog id
	incoming bool
	remote   string
	active   bool
}

func newDoorEvents(ua *sip.UA, start time.Time) *doorEvents {
	// Dialog ids must not repeat across restarts: a phone may still hold the last one.
	return &doorEvents{ua: ua, prefix: fmt.Sprintf("door-%x", start.Unix())}
}

func (d *doorEvents) status(s door.Status) {
	st := sip.DoorState{DoorOpen: s.DoorOpen, Alarm: s.Alarm}
	switch s.State {
	case door.Dialing:
		st.Activity = sip.DoorDialing
	case door.RingingOut:
		st.Activity = sip.DoorRingingOut
	case door.RingingIn:
		st.Activity = sip.DoorRingingIn
	case door.InCall:
		st.Activity = sip.DoorInCall
	case door.Stopped:
		st.Activity = sip.DoorOffline
	default:
		st.Activity = sip.DoorIdle
	}
	switch st.Activity {
	case sip.DoorDialing, sip.DoorRingingOut, sip.DoorRingingIn, sip.DoorInCall:
		if !d.active {
			d.active = true
			d.calls++
			d.callID = fmt.Sprintf("%s-%d", d.prefix, d.calls)
		}
		d.incoming = s.Incoming || st.Activity == sip.DoorRingingIn
		d.remote = s.Peer
		if d.remote == "" && len(s.Ringing) > 0 {
			d.remote = s.Ringing[0]
		}
	default:
		// Idle keeps the last call's id: its dialog reads terminated until the next call.
		d.active = false
	}
	if d.callID != "" && st.Activity != sip.DoorOffline {
		st.CallID, st.Incoming, st.Remote = d.callID, d.incoming, d.remote
	}
	d.ua.SetDoorState(st)
}

// eventStats are the SIP events' figures for `intercom ctl stats`, nil when [sip.events] is
// not in use (nobody may subscribe, nothing is published).
func (a *App) eventStats() *control.EventStats {
	st := a.ua.EventStats()
	if !st.InUse {
		return nil
	}
	return &control.EventStats{Subscriptions: st.Subscriptions, Refused: st.Refused, Published: st.Published, Publishes: st.Publishes}
}

// reloadedEvents blanks the [sip.events] settings a reload applies (UA.SetEvents), so only
// PUBLISH and MWI changes count as needing a restart.
func reloadedEvents(e sip.EventsConfig) sip.EventsConfig {
	return sip.EventsConfig{Publish: e.Publish, PublishExpires: e.PublishExpires, MWI: e.MWI}
}
